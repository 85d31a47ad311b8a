//! Other tools' and benchmarks' files in and out: one module per format, its reader
//! and writer side by side. A reader gives a dataset and a [`Report`] of everything it
//! could not keep (counted, named, with where it was); a writer gives the files and
//! the report of what the format cannot hold. Conventions (1-based frames, xywh,
//! percentages, a start frame and a frame step) live in the format's module only.

mod coco;
mod cvat;
mod hcstvg;
mod json;
mod label_studio;
mod merge;
mod mot;
mod report;
mod runs;
mod sft;
mod shared;
mod vidstg;
pub(crate) mod vstar;
mod xml;
mod youtube_vis;

use serde::Serialize;

use crate::dataset::{Dataset, Review, Video};

pub use merge::merge;
/// MOT16's classes by number, which the tracking metrics read MOTChallenge ground truth by.
pub(crate) use mot::CLASSES as MOT_CLASSES;
pub use report::{Report, Skipped};
use shared::{
    MAX_FRAMES, Num, TrackIds, TrackNumbers, add_text_spec, category_for, file_stem, is_frame_rate, line_of,
    num, provenance, report_attributes, report_beyond_tracks, seen_keyframes, text, video_record,
};

/// Every format Vidence reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Cvat,
    LabelStudio,
    Mot,
    YoutubeVis,
    Coco,
    Vstar,
    /// Grounding benchmarks (import only).
    Vidstg,
    Hcstvg,
    /// Fine-tuning data (export only).
    LlamaFactory,
    Swift,
    QwenFinetune,
}

/// What one format is and what it can hold, for `vidence formats`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct FormatInfo {
    pub name: &'static str,
    pub title: &'static str,
    pub imports: bool,
    pub exports: bool,
    /// What it holds of a dataset.
    pub holds: &'static str,
    /// What of a dataset it cannot hold (reported on export).
    pub cannot: &'static str,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::Cvat,
        Format::LabelStudio,
        Format::Mot,
        Format::YoutubeVis,
        Format::Coco,
        Format::Vstar,
        Format::Vidstg,
        Format::Hcstvg,
        Format::LlamaFactory,
        Format::Swift,
        Format::QwenFinetune,
    ];

    pub fn info(self) -> FormatInfo {
        match self {
            Format::Cvat => cvat::INFO,
            Format::LabelStudio => label_studio::INFO,
            Format::Mot => mot::INFO,
            Format::YoutubeVis => youtube_vis::INFO,
            Format::Coco => coco::INFO,
            Format::Vstar => vstar::INFO,
            Format::Vidstg => vidstg::INFO,
            Format::Hcstvg => hcstvg::INFO,
            Format::LlamaFactory => sft::LLAMAFACTORY,
            Format::Swift => sft::SWIFT,
            Format::QwenFinetune => sft::QWEN_FINETUNE,
        }
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Which labels an export takes unless told: fine-tuning data trains on what a
    /// reviewer accepted, other formats carry every label.
    pub fn default_review(self) -> ReviewFilter {
        match self {
            Format::LlamaFactory | Format::Swift | Format::QwenFinetune => ReviewFilter::Accepted,
            _ => ReviewFilter::All,
        }
    }

    pub fn named(name: &str) -> Option<Format> {
        let name = name.to_ascii_lowercase();
        let alias = if name == "ovis" { "youtube-vis" } else { name.as_str() };
        Format::ALL.into_iter().find(|f| f.name() == alias)
    }
}

/// One file of what is imported, named by its path relative to what the user gave
/// (a folder's files keep their place in it: MOT's `gt/gt.txt` beside `seqinfo.ini`).
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a reader made of its input.
#[derive(Debug)]
pub struct Imported {
    pub format: Format,
    pub dataset: Dataset,
    pub report: Report,
}

/// The files a writer made, with the same names as an [`Input`], and what it left out.
#[derive(Debug)]
pub struct Exported {
    pub files: Vec<Input>,
    pub report: Report,
}

/// Which labels an export takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReviewFilter {
    #[default]
    All,
    /// Labels a reviewer accepted or edited.
    Accepted,
}

impl ReviewFilter {
    pub fn takes(self, review: Review) -> bool {
        match self {
            ReviewFilter::All => true,
            ReviewFilter::Accepted => matches!(review, Review::Accepted | Review::Edited),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// Only this video (by id); all when `None`.
    pub video: Option<String>,
    pub review: ReviewFilter,
    /// Label Studio: a keyframe on every frame a track is seen, not only its keyframes.
    pub every_frame: bool,
    /// Fine-tuning data: the model whose conventions answers are written in.
    pub grounding: crate::dialect::Grounding,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// The file does not read as XML, JSON or text of the format, or an element of it
    /// is not what the format says; `at` is the element's path.
    #[error("{file}:{line}:{column}: {at}: {message}")]
    Syntax { file: String, line: usize, column: usize, at: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{0}")]
    Detect(String),
}

/// Reads `inputs` as `format`. `videos` are the records of the video files the user
/// gave (their size, frame count and rate win over what the file says; a video they
/// contradict is an error): matched to the file's videos by id, by file name, or,
/// when both have one, to the one video.
pub fn import(format: Format, inputs: &[Input], videos: &[Video]) -> Result<Imported, FormatError> {
    read(format, inputs, videos, None)
}

/// Reads `inputs`, a file of a model's predictions, as runs of the model `model` (a
/// tracker's boxes, a detector's, a benchmark's result file), not as labels; the
/// questions a result file answers come with it.
pub fn import_run(
    format: Format,
    inputs: &[Input],
    videos: &[Video],
    model: &str,
) -> Result<Imported, FormatError> {
    read(format, inputs, videos, Some(model))
}

fn read(
    format: Format,
    inputs: &[Input],
    videos: &[Video],
    run: Option<&str>,
) -> Result<Imported, FormatError> {
    if inputs.is_empty() {
        return Err(FormatError::Detect("nothing to import".into()));
    }
    let mut report = Report::default();
    let mut dataset = match format {
        Format::Cvat => cvat::read(inputs, &mut report)?,
        Format::LabelStudio => label_studio::read(inputs, videos, run.is_some(), &mut report)?,
        Format::Mot => mot::read(inputs, &mut report)?,
        Format::YoutubeVis => youtube_vis::read(inputs, &mut report)?,
        Format::Coco => coco::read(inputs, &mut report)?,
        Format::Vstar => vstar::read(inputs, run, &mut report)?,
        Format::Vidstg => vidstg::read(inputs, &mut report)?,
        Format::Hcstvg => hcstvg::read(inputs, &mut report)?,
        Format::LlamaFactory | Format::Swift | Format::QwenFinetune => {
            return Err(FormatError::Detect(format!(
                "{} is fine-tuning data Vidence writes; it does not read it",
                format.name()
            )));
        }
    };
    use_given_videos(&mut dataset, videos, &mut report)?;
    if let Some(model) = run
        && format != Format::Vstar
    {
        dataset = runs::from_labels(dataset, model);
    }
    Ok(Imported { format, dataset, report })
}

/// Writes the dataset's labels (those `options` take) as `format`.
pub fn export(format: Format, data: &Dataset, options: &ExportOptions) -> Result<Exported, FormatError> {
    let data = &selected(data, options)?;
    let mut report = Report::default();
    let files = match format {
        Format::Cvat => cvat::write(data, &mut report),
        Format::LabelStudio => label_studio::write(data, options.every_frame, &mut report),
        Format::Mot => mot::write(data, &mut report),
        Format::YoutubeVis => youtube_vis::write(data, &mut report),
        Format::Coco => coco::write(data, &mut report),
        Format::Vstar => vstar::write(data, &mut report),
        Format::Vidstg | Format::Hcstvg => {
            return Err(FormatError::Detect(format!(
                "{} is a benchmark's ground truth Vidence reads; it does not write it",
                format.name()
            )));
        }
        Format::LlamaFactory => {
            sft::write_as(sft::Trainer::LlamaFactory, data, options.grounding, &mut report)
        }
        Format::Swift => sft::write_as(sft::Trainer::Swift, data, options.grounding, &mut report),
        Format::QwenFinetune => {
            sft::write_as(sft::Trainer::QwenFinetune, data, options.grounding, &mut report)
        }
    };
    Ok(Exported { files, report })
}

/// The format of `inputs`, from their names and first bytes; an error names the
/// candidates when more than one fits, and says what it looked for when none does.
pub fn detect(inputs: &[Input]) -> Result<Format, FormatError> {
    let fits: Vec<Format> = Format::ALL
        .into_iter()
        .filter(|f| {
            inputs.iter().any(|input| match f {
                Format::Cvat => cvat::looks_like(input),
                Format::LabelStudio => label_studio::looks_like(input),
                Format::Mot => mot::looks_like(input),
                Format::YoutubeVis => youtube_vis::looks_like(input),
                Format::Coco => coco::looks_like(input),
                Format::Vstar => vstar::looks_like(input),
                Format::Vidstg => vidstg::looks_like(input),
                Format::Hcstvg => hcstvg::looks_like(input),
                Format::LlamaFactory | Format::Swift | Format::QwenFinetune => false,
            })
        })
        .collect();
    match fits.as_slice() {
        [one] => Ok(*one),
        [] => Err(FormatError::Detect(format!(
            "no known format: looked for {} (name one: {})",
            "CVAT XML with <annotations>, Label Studio JSON with annotations and results, MOT text of 9 or 10 comma-separated columns or seqinfo.ini, \
             YouTube-VIS JSON with videos and per-frame bboxes, COCO JSON with images and annotations, \
             V-STaR JSON items with vid and temporal_question, VidSTG records with used_segment and temporal_gt \
             or VidOR files with trajectories, HC-STVG JSON with st_frame and img_num",
            Format::ALL
                .into_iter()
                .filter(|f| f.info().imports)
                .map(Format::name)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        many => Err(FormatError::Detect(format!(
            "the input could be {}: name the format",
            many.iter().map(|f| f.name()).collect::<Vec<_>>().join(" or ")
        ))),
    }
}

/// The labels and videos an export takes.
pub fn selected(data: &Dataset, options: &ExportOptions) -> Result<Dataset, FormatError> {
    if let Some(id) = &options.video
        && data.video(id).is_none()
    {
        return Err(FormatError::Invalid {
            file: String::new(),
            message: format!("no video {id:?} in the dataset"),
        });
    }
    let video = |v: &str| options.video.as_deref().is_none_or(|id| id == v);
    let review = options.review;
    let mut out = data.clone();
    out.videos.retain(|v| video(&v.id));
    out.tracks.retain(|t| video(&t.video) && review.takes(t.review));
    out.segments.retain(|s| video(&s.video) && review.takes(s.review));
    out.questions.retain(|q| video(&q.video) && review.takes(q.review));
    out.runs.retain(|r| video(&r.video));
    Ok(out)
}

/// The records of the video files the user gave replace the file's own guesses.
fn use_given_videos(dataset: &mut Dataset, given: &[Video], report: &mut Report) -> Result<(), FormatError> {
    let only = dataset.videos.len() == 1 && given.len() == 1;
    for file in given {
        // By id before by file name: MOTChallenge's sequences all keep their frames in `img1`.
        let at = |same: &dyn Fn(&Video) -> bool| dataset.videos.iter().position(same);
        let found = at(&|v| v.id == file.id)
            .or_else(|| at(&|v| v.id == file_stem(&file.path)))
            .or_else(|| at(&|v| file_stem(&v.path) == file_stem(&file.path)))
            .or(only.then_some(0));
        let Some(video) = found.map(|i| &mut dataset.videos[i]) else {
            return Err(FormatError::Invalid {
                file: file.path.clone(),
                message: format!(
                    "is none of the imported videos ({})",
                    dataset.videos.iter().map(|v| v.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        };
        let size_known = video.width > 0 && video.height > 0;
        if size_known && (video.width, video.height) != (file.width, file.height) {
            return Err(FormatError::Invalid {
                file: file.path.clone(),
                message: format!(
                    "is {}x{}, but the labels of video {:?} are for {}x{}",
                    file.width, file.height, video.id, video.width, video.height
                ),
            });
        }
        if video.frame_count > file.frame_count {
            return Err(FormatError::Invalid {
                file: file.path.clone(),
                message: format!(
                    "has {} frames, but the labels of video {:?} reach frame {}",
                    file.frame_count, video.id, video.frame_count
                ),
            });
        }
        report.assumed.retain(|a| !a.starts_with(&format!("video {:?}", video.id)));
        *video = Video { id: video.id.clone(), ..file.clone() };
    }
    Ok(())
}
