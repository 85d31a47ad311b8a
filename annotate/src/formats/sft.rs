//! Fine-tuning data for video models: a conversation per label, the user asking with
//! the video and the assistant answering as the model should, written by
//! [`crate::dialect::write`] in the chosen model's conventions ([`Grounding`]) so that
//! the dialect's reader gives the label back. A track is asked for as "locate" with
//! its boxes at two frames a second (the rate Qwen-VL samples video at), a segment as
//! "when", a question with its answer, reasoning and evidence. Three trainers' files:
//! LLaMA-Factory's ShareGPT JSON (with its `dataset_info.json` entry), ms-swift's
//! JSONL, and Qwen-VL's own finetune JSON (`conversations` with `<video>`).
//!
//! ms-swift's `objects` (`<ref-object>`/`<bbox>` tags it fills in) is not written: its
//! template scales those boxes only against the record's `images` (3.9's
//! `if inputs.images and inputs.objects: self.normalize_bbox(inputs)`), so on a video
//! they would pass through unscaled and in its template's notation, not the one
//! `--grounding` chose; the answer's text carries the boxes instead.

use serde_json::{Value, json};

use super::{FormatInfo, Input, Report, json};
use crate::dataset::{Dataset, Evidence, Track, Video};
use crate::dialect::{Context, Grounding, Layout, Task, write};
use crate::prediction::{PredictedBox, PredictedSpan, Prediction};
use crate::time::{ConstantRate, FrameTimes};

/// The trainer whose file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trainer {
    LlamaFactory,
    Swift,
    QwenFinetune,
}

const CANNOT: &str = "model runs, attributes, occluded flags, a box's frames between the two-a-second samples; \
                      labels of videos of unknown size";

pub const LLAMAFACTORY: FormatInfo = FormatInfo {
    name: "llamafactory",
    title: "LLaMA-Factory ShareGPT JSON for video (messages, videos) with its dataset_info.json",
    imports: false,
    exports: true,
    holds: "a conversation per track (its boxes), segment (its span) and question (answer, reasoning, evidence), \
            in the grounding chosen with --grounding",
    cannot: CANNOT,
};

pub const SWIFT: FormatInfo = FormatInfo {
    name: "swift",
    title: "ms-swift JSONL (messages, videos)",
    imports: false,
    exports: true,
    holds: LLAMAFACTORY.holds,
    cannot: CANNOT,
};

pub const QWEN_FINETUNE: FormatInfo = FormatInfo {
    name: "qwen-finetune",
    title: "Qwen-VL finetune JSON (video, conversations with <video>)",
    imports: false,
    exports: true,
    holds: LLAMAFACTORY.holds,
    cannot: CANNOT,
};

/// The rate a track's boxes are sampled at: Qwen-VL's default for video.
const SAMPLES_PER_SECOND: f64 = 2.0;

/// One conversation: the video, the question and the answer.
struct Turn<'a> {
    video: &'a Video,
    ask: String,
    answer: String,
}

pub fn write_as(trainer: Trainer, data: &Dataset, grounding: Grounding, report: &mut Report) -> Vec<Input> {
    let turns = conversations(data, grounding, report);
    let name = "vidence_sft";
    match trainer {
        Trainer::LlamaFactory => {
            let records: Vec<Value> = turns
                .iter()
                .map(|t| {
                    json!({
                        "messages": [
                            {"role": "user", "content": format!("<video>{}", t.ask)},
                            {"role": "assistant", "content": t.answer},
                        ],
                        "videos": [t.video.path],
                    })
                })
                .collect();
            let info = json!({ name: {
                "file_name": format!("{name}.json"),
                "formatting": "sharegpt",
                "columns": {"messages": "messages", "videos": "videos"},
                "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"},
            }});
            vec![
                Input { name: format!("{name}.json"), bytes: json::bytes(&records) },
                Input { name: "dataset_info.json".into(), bytes: json::bytes(&info) },
            ]
        }
        Trainer::Swift => {
            let mut bytes = Vec::new();
            for t in &turns {
                let record = json!({
                    "messages": [
                        {"role": "user", "content": format!("<video>{}", t.ask)},
                        {"role": "assistant", "content": t.answer},
                    ],
                    "videos": [t.video.path],
                });
                bytes.extend(record.to_string().into_bytes());
                bytes.push(b'\n');
            }
            vec![Input { name: format!("{name}.jsonl"), bytes }]
        }
        Trainer::QwenFinetune => {
            let records: Vec<Value> = turns
                .iter()
                .map(|t| {
                    json!({
                        "video": t.video.path,
                        "conversations": [
                            {"from": "human", "value": format!("<video>\n{}", t.ask)},
                            {"from": "gpt", "value": t.answer},
                        ],
                    })
                })
                .collect();
            vec![Input { name: format!("{name}.json"), bytes: json::bytes(&records) }]
        }
    }
}

/// How the answers' numbers are read on `video`, in `g`'s conventions.
fn context(video: &Video, g: Grounding) -> Context {
    Context {
        video_width: video.width,
        video_height: video.height,
        coordinates: g.coordinates(video.width, video.height),
        clip_start_s: 0.0,
    }
}

fn conversations<'a>(data: &'a Dataset, g: Grounding, report: &mut Report) -> Vec<Turn<'a>> {
    for r in &data.runs {
        report.skip(
            "model runs",
            "fine-tuning data is made of labels: accept a run's evidence to train on it",
            format!("run {}", r.id),
        );
    }
    let mut turns = Vec::new();
    for video in &data.videos {
        let cx = context(video, g);
        let sized = video.width > 0 && video.height > 0;
        let times = ConstantRate { fps: video.fps, frames: video.frame_count.max(1) };
        for t in data.tracks_of(&video.id) {
            if !t.attributes.is_empty() {
                report.skip("attributes", "an answer holds boxes only", format!("track {}", t.id));
            }
            if t.keyframes.iter().any(|k| k.occluded && !k.outside) {
                report.skip("occluded flags", "an answer holds boxes only", format!("track {}", t.id));
            }
            if !sized {
                report.skip(
                    "tracks",
                    "their video's size is unknown: give the video",
                    format!("track {}", t.id),
                );
                continue;
            }
            let boxes = samples(data, t, &times);
            if boxes.is_empty() {
                report.skip("tracks", "no box on any sampled frame", format!("track {}", t.id));
                continue;
            }
            let object = boxes[0].label.clone().unwrap_or_default();
            let p = Prediction { boxes, ..Prediction::default() };
            turns.push(Turn {
                video,
                ask: Task::Track { object: format!("the {object}") }.prompt_for(g),
                answer: write(&p, g.layout(), &cx),
            });
        }
        for s in data.segments_of(&video.id) {
            let span = PredictedSpan { label: Some(s.label.clone()), start_s: s.start_s, end_s: s.end_s };
            let p = Prediction { spans: vec![span], ..Prediction::default() };
            turns.push(Turn {
                video,
                ask: Task::When { event: s.label.clone() }.prompt_for(g),
                answer: write(&p, g.layout(), &cx),
            });
        }
        for q in data.questions_of(&video.id) {
            let mut p = Prediction {
                answer: Some(q.answer.clone()),
                steps: q.rationale.clone(),
                ..Prediction::default()
            };
            for e in &q.evidence {
                match e {
                    Evidence::Track { id } if sized => match data.track(id) {
                        Some(t) => p.boxes.extend(samples(data, t, &times)),
                        None => report.skip(
                            "evidence",
                            "the track it cites is not exported",
                            format!("question {}", q.id),
                        ),
                    },
                    Evidence::Box { time_s, bbox } if sized => {
                        p.boxes.push(PredictedBox {
                            label: None,
                            time_s: Some(*time_s),
                            bbox: *bbox,
                            time_text: None,
                        });
                    }
                    Evidence::Track { .. } | Evidence::Box { .. } => report.skip(
                        "evidence",
                        "boxes on a video of unknown size: give the video",
                        format!("question {}", q.id),
                    ),
                    Evidence::Span { start_s, end_s } => {
                        p.spans.push(PredictedSpan { label: None, start_s: *start_s, end_s: *end_s });
                    }
                    Evidence::Segment { id } => match data.segment(id) {
                        Some(s) => {
                            p.spans.push(PredictedSpan { label: None, start_s: s.start_s, end_s: s.end_s });
                        }
                        None => report.skip(
                            "evidence",
                            "the segment it cites is not exported",
                            format!("question {}", q.id),
                        ),
                    },
                    Evidence::Time { .. } => {
                        report.skip(
                            "evidence",
                            "a moment alone is not written",
                            format!("question {}", q.id),
                        );
                    }
                }
            }
            let mut ask = q.text.clone();
            if !q.options.is_empty() {
                ask.push_str("\nOptions:");
                for o in &q.options {
                    ask.push_str(&format!("\n{o}"));
                }
            }
            // The answer task's prompt asks for reasoning and evidence in tags.
            turns.push(Turn {
                video,
                ask: Task::Answer { question: ask }.prompt_for(g),
                answer: write(&p, Layout::Tags, &cx),
            });
        }
    }
    turns
}

/// A track's boxes at two frames a second, labelled with its category's name.
fn samples(data: &Dataset, t: &Track, times: &ConstantRate) -> Vec<PredictedBox> {
    let label = data.category(&t.category).map_or(t.category.clone(), |c| c.name.clone());
    let mut out: Vec<PredictedBox> = Vec::new();
    let mut last = None;
    for k in 0u32.. {
        let time_s = f64::from(k) / SAMPLES_PER_SECOND;
        if time_s >= times.duration_s() {
            break;
        }
        let frame = times.frame_at_time(time_s);
        if last == Some(frame) {
            continue;
        }
        last = Some(frame);
        if let Some(b) = t.box_at(frame) {
            out.push(PredictedBox {
                label: Some(label.clone()),
                time_s: Some(times.time_of(frame)),
                bbox: b.bbox,
                time_text: None,
            });
        }
    }
    out
}
