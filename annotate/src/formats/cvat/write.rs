//! A dataset as CVAT for video 1.1 XML: a file per video, every frame's box as CVAT
//! dumps a track.

use std::fmt::Write;

use super::super::xml::escape;
use super::super::{Input, Num, Report, TrackNumbers};
use crate::dataset::{AttributeInput, Category, Dataset, Interpolation, Track, Video};
use crate::geometry::BBox;

pub fn write(data: &Dataset, report: &mut Report) -> Vec<Input> {
    super::super::report_beyond_tracks(data, "CVAT", report);
    data.videos
        .iter()
        .enumerate()
        .map(|(i, video)| {
            let name = if data.videos.len() == 1 {
                "annotations.xml".to_owned()
            } else {
                format!("{}.xml", video.id)
            };
            Input { name, bytes: write_task(data, video, i, report).into_bytes() }
        })
        .collect()
}

fn write_task(data: &Dataset, video: &Video, index: usize, report: &mut Report) -> String {
    let tracks: Vec<&Track> = data.tracks_of(&video.id).collect();
    let mut used: Vec<&str> = tracks.iter().map(|t| t.category.as_str()).collect();
    used.sort_unstable();
    used.dedup();
    let mut out = String::with_capacity(256 + tracks.iter().map(|t| t.keyframes.len() * 160).sum::<usize>());
    let last = video.frame_count.saturating_sub(1);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  <version>1.1</version>\n  <meta>\n    <task>\n      \
         <id>{}</id>\n      <name>{}</name>\n      <size>{}</size>\n      <mode>interpolation</mode>\n      \
         <overlap>0</overlap>\n      <start_frame>0</start_frame>\n      <stop_frame>{last}</stop_frame>\n      \
         <frame_filter></frame_filter>\n      <labels>\n",
        index + 1,
        escape(&video.id),
        video.frame_count
    );
    for c in data.categories.iter().filter(|c| used.contains(&c.id.as_str()) || !c.attributes.is_empty()) {
        write_label(&mut out, c);
    }
    let source = video.path.rsplit(['/', '\\']).next().unwrap_or(&video.path);
    let _ = write!(
        out,
        "      </labels>\n      <original_size>\n        <width>{}</width>\n        <height>{}</height>\n      \
         </original_size>\n    </task>\n    <source>{}</source>\n  </meta>\n",
        video.width,
        video.height,
        escape(source)
    );
    let mut numbers = TrackNumbers::new(tracks.iter().copied(), 0);
    for t in tracks {
        let label = data.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str());
        let _ = writeln!(
            out,
            "  <track id=\"{}\" label=\"{}\" source=\"manual\">",
            numbers.of(&t.id),
            escape(label)
        );
        write_boxes(&mut out, t, last);
        out.push_str("  </track>\n");
        if t.interpolation != Interpolation::Linear {
            report.skip(
                "interpolation",
                "CVAT interpolates linearly: the track's box on every frame is written",
                format!("track {}", t.id),
            );
        }
    }
    out.push_str("</annotations>\n");
    out
}

fn write_label(out: &mut String, c: &Category) {
    let _ = write!(out, "        <label>\n          <name>{}</name>\n", escape(&c.name));
    if let Some([r, g, b]) = c.color {
        let _ = writeln!(out, "          <color>#{r:02x}{g:02x}{b:02x}</color>");
    }
    out.push_str("          <type>rectangle</type>\n          <attributes>\n");
    for a in &c.attributes {
        let input = match a.input {
            AttributeInput::Select => "select",
            AttributeInput::Radio => "radio",
            AttributeInput::Checkbox => "checkbox",
            AttributeInput::Number => "number",
            AttributeInput::Text => "text",
        };
        let _ = write!(
            out,
            "            <attribute>\n              <name>{}</name>\n              <mutable>{}</mutable>\n              \
             <input_type>{input}</input_type>\n              <default_value>{}</default_value>\n              \
             <values>{}</values>\n            </attribute>\n",
            escape(&a.name),
            if a.mutable { "True" } else { "False" },
            escape(&a.default),
            escape(&a.values.join("\n"))
        );
    }
    out.push_str("          </attributes>\n        </label>\n");
}

/// Every frame's box from the first keyframe on, as CVAT dumps a track: keyframes
/// flagged, an outside box where it leaves, nothing while it is outside.
fn write_boxes(out: &mut String, t: &Track, last: u64) {
    let (Some(first), Some(end)) = (t.keyframes.first(), t.keyframes.last()) else { return };
    let end = if end.outside { end.frame } else { last.max(end.frame) };
    let mut k = 0;
    let mut frame = first.frame;
    while frame <= end {
        while k + 1 < t.keyframes.len() && t.keyframes[k + 1].frame <= frame {
            k += 1;
        }
        let key = &t.keyframes[k];
        if key.frame == frame && key.outside {
            write_box(out, t, frame, &key.bbox, true, key.occluded, true);
        } else if let Some(b) = t.box_at(frame) {
            write_box(out, t, frame, &b.bbox, false, b.occluded, b.keyframe);
        } else if let Some(next) = t.keyframes.get(k + 1) {
            // Outside until the next keyframe.
            frame = next.frame;
            continue;
        }
        frame += 1;
    }
}

fn write_box(
    out: &mut String,
    t: &Track,
    frame: u64,
    b: &BBox,
    outside: bool,
    occluded: bool,
    keyframe: bool,
) {
    let [x1, y1, x2, y2] = b.0;
    let _ = write!(
        out,
        "    <box frame=\"{frame}\" keyframe=\"{}\" outside=\"{}\" occluded=\"{}\" xtl=\"{}\" ytl=\"{}\" xbr=\"{}\" \
         ybr=\"{}\" z_order=\"{}\"",
        u8::from(keyframe),
        u8::from(outside),
        u8::from(occluded),
        Num(x1),
        Num(y1),
        Num(x2),
        Num(y2),
        t.z_order
    );
    if t.attributes.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    for a in t.attributes_at(frame) {
        let _ =
            writeln!(out, "      <attribute name=\"{}\">{}</attribute>", escape(&a.name), escape(&a.value));
    }
    out.push_str("    </box>\n");
}
