//! Other tools' files in and out (`vidence import`, `export`, `formats`; the window's
//! Import… and Export… make the same calls): files and folders read into
//! `annotate::formats`, video files given described from the files themselves, what
//! a format could not keep printed, never dropped without a word.

use std::path::{Path, PathBuf};

use annotate::formats::{self, ExportOptions, Exported, Format, Imported, Input, Report, ReviewFilter};
use annotate::{Dataset, Document, Video};
use anyhow::Context as _;

/// The largest file read as part of an import: bigger ones are pictures or video.
const LARGEST_INPUT: u64 = 4 << 30;

/// The files of `sources`: a file as given, a folder's text files (`.xml`, `.json`,
/// `.jsonl`, `.txt`, `.ini`) below it, named from the folder's own name down.
pub fn read_inputs(sources: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for source in sources {
        let meta = std::fs::metadata(source).with_context(|| format!("cannot read {}", source.display()))?;
        if meta.is_dir() {
            let base = source.file_name().map_or_else(|| PathBuf::from("."), PathBuf::from);
            walk(source, &base, &mut inputs)?;
        } else {
            inputs.push(read_input(source, source.to_string_lossy().into_owned())?);
        }
    }
    anyhow::ensure!(!inputs.is_empty(), "no file to import in {}", show(sources));
    Ok(inputs)
}

fn walk(dir: &Path, name: &Path, inputs: &mut Vec<Input>) -> anyhow::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let file_name = entry.file_name();
        if file_name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, &name.join(&file_name), inputs)?;
            continue;
        }
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if matches!(ext.as_str(), "xml" | "json" | "jsonl" | "txt" | "ini") {
            inputs.push(read_input(&path, name.join(&file_name).to_string_lossy().into_owned())?);
        }
    }
    Ok(())
}

fn read_input(path: &Path, name: String) -> anyhow::Result<Input> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    anyhow::ensure!(size <= LARGEST_INPUT, "{} is {size} bytes: too big to be labels", path.display());
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Input { name, bytes })
}

fn show(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// The format named, or the one `inputs` are in for `auto`.
pub fn format_of(name: &str, inputs: &[Input]) -> anyhow::Result<Format> {
    if name == "auto" {
        return Ok(formats::detect(inputs)?);
    }
    named(name)
}

pub fn named(name: &str) -> anyhow::Result<Format> {
    Format::named(name).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown format {name:?}: the formats are {}",
            Format::ALL.map(Format::name).join(", ")
        )
    })
}

/// Reads `sources` as `format`, with the given video files described from themselves
/// (paths recorded relative to `dataset_dir`, where the dataset will be); with
/// `as_run`, a model's predictions as its runs.
pub fn import(
    format: &str,
    sources: &[PathBuf],
    videos: &[PathBuf],
    as_run: Option<&str>,
    dataset_dir: &Path,
) -> anyhow::Result<Imported> {
    let inputs = read_inputs(sources)?;
    let format = format_of(format, &inputs)?;
    let mut records = Dataset::default();
    for video in videos {
        let record = crate::videos::describe(video, dataset_dir, &records)?;
        records.videos.push(record);
    }
    Ok(match as_run {
        Some(model) => formats::import_run(format, &inputs, &records.videos, model)?,
        None => formats::import(format, &inputs, &records.videos)?,
    })
}

/// Where the dataset's labels go: a new file, or into one as one undoable edit.
pub enum Target {
    New(PathBuf),
    Into(PathBuf),
}

/// `vidence import`: reads, then writes a new dataset or adds to one (journaled, one
/// edit), and prints what was kept and what was not.
pub fn import_command(
    format: &str,
    sources: &[PathBuf],
    target: &Target,
    videos: &[PathBuf],
    as_run: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let (Target::New(path) | Target::Into(path)) = target;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut imported = import(format, sources, videos, as_run, dir)?;
    let counts = match target {
        Target::New(out) => {
            write_new(&imported.dataset, out)?;
            Counts::of(&imported.dataset)
        }
        Target::Into(dataset) => {
            let (mut doc, _) = Document::open(dataset)?;
            // Read again with the dataset's records of the videos the file is about,
            // so that its times come from their frame rates, not from a rate guessed.
            let known: Vec<Video> = doc
                .dataset()
                .videos
                .iter()
                .filter(|v| imported.dataset.videos.iter().any(|i| i.id == v.id))
                .cloned()
                .collect();
            if videos.is_empty() && !known.is_empty() {
                let inputs = read_inputs(sources)?;
                imported = match as_run {
                    Some(model) => formats::import_run(imported.format, &inputs, &known, model)?,
                    None => formats::import(imported.format, &inputs, &known)?,
                };
            }
            let counts = Counts::of(&imported.dataset);
            let edit = formats::merge(doc.dataset(), std::mem::take(&mut imported.dataset));
            doc.apply(edit).map_err(|e| anyhow::anyhow!("cannot add the imported labels: {e}"))?;
            doc.save()?;
            counts
        }
    };
    print_result(imported.format, path, &counts, &imported.report, json);
    Ok(())
}

/// `vidence export`: the dataset's labels as `format` at `out` (a file, or a folder
/// for a format of several files), never over an existing file.
pub fn export_command(
    format: Format,
    dataset: &Path,
    out: &Path,
    options: &ExportOptions,
    json: bool,
) -> anyhow::Result<()> {
    let data = annotate::load(dataset)?;
    let exported = export_to(format, &data, out, options)?;
    let mut counts = Counts::of(&formats::selected(&data, options)?);
    counts.files = exported.files.len();
    print_result(format, out, &counts, &exported.report, json);
    Ok(())
}

/// Writes `data` as `format` at `out`, refusing to write over anything there.
pub fn export_to(
    format: Format,
    data: &Dataset,
    out: &Path,
    options: &ExportOptions,
) -> anyhow::Result<Exported> {
    let exported = formats::export(format, data, options)?;
    anyhow::ensure!(!out.exists(), "{} already exists: export under a new name", out.display());
    write_files(&exported.files, out)?;
    Ok(exported)
}

/// A new dataset file of imported labels, never over an existing file.
pub fn write_new(data: &Dataset, out: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        !out.exists(),
        "{} already exists: import --into it, or choose another name",
        out.display()
    );
    Ok(annotate::save_atomic(data, out)?)
}

/// One file to `out`; several into a new folder `out`.
fn write_files(files: &[Input], out: &Path) -> anyhow::Result<()> {
    let write = |path: &Path, bytes: &[u8]| -> anyhow::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
        }
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
    };
    match files {
        [one] => write(out, &one.bytes),
        many => {
            for f in many {
                write(&out.join(&f.name), &f.bytes)?;
            }
            Ok(())
        }
    }
}

#[derive(Default, serde::Serialize)]
struct Counts {
    videos: usize,
    tracks: usize,
    keyframes: usize,
    /// Boxes on all frames: keyframes and those between.
    boxes: u64,
    segments: usize,
    questions: usize,
    runs: usize,
    #[serde(skip_serializing_if = "is_zero")]
    files: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Counts {
    fn of(data: &Dataset) -> Self {
        Self {
            videos: data.videos.len(),
            tracks: data.tracks.len(),
            keyframes: data.tracks.iter().map(|t| t.keyframes.len()).sum(),
            boxes: data
                .tracks
                .iter()
                .map(|t| {
                    let frames = data.video(&t.video).map_or(0, |v| v.frame_count);
                    (0..frames).filter(|&f| t.box_at(f).is_some()).count() as u64
                })
                .sum(),
            segments: data.segments.len(),
            questions: data.questions.len(),
            runs: data.runs.len(),
            files: 0,
        }
    }
}

/// What an import or export holds, in one line, and what it left out, a line each.
pub fn summary(format: Format, path: &Path, data: &Dataset, report: &Report) -> Vec<String> {
    let mut lines = vec![headline(format, path, &Counts::of(data))];
    lines.extend(report.lines());
    lines
}

fn headline(format: Format, path: &Path, counts: &Counts) -> String {
    format!(
        "{}: {} videos, {} tracks ({} keyframes, {} boxes on all frames), {} segments, {} questions, {} model runs ({})",
        path.display(),
        counts.videos,
        counts.tracks,
        counts.keyframes,
        counts.boxes,
        counts.segments,
        counts.questions,
        counts.runs,
        format.info().title
    )
}

fn print_result(format: Format, path: &Path, counts: &Counts, report: &Report, json: bool) {
    if json {
        let mut value = serde_json::to_value(counts).unwrap_or_default();
        value["format"] = format.name().into();
        value["path"] = path.display().to_string().into();
        value["skipped"] = serde_json::to_value(&report.skipped).unwrap_or_default();
        value["assumed"] = serde_json::to_value(&report.assumed).unwrap_or_default();
        println!("{value}");
        return;
    }
    println!("{}", headline(format, path, counts));
    for line in report.lines() {
        println!("  {line}");
    }
}

/// `vidence formats`: what each format holds and cannot.
pub fn list_formats(json: bool) {
    let infos: Vec<_> = Format::ALL.iter().map(|f| f.info()).collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&infos).unwrap_or_default());
        return;
    }
    for i in infos {
        let ways = match (i.imports, i.exports) {
            (true, true) => "import, export",
            (true, false) => "import",
            _ => "export",
        };
        println!("{:<14} {} ({ways})\n  holds:  {}\n  cannot: {}", i.name, i.title, i.holds, i.cannot);
    }
}

/// `--review`'s values.
pub fn review_filter(name: &str) -> anyhow::Result<ReviewFilter> {
    match name {
        "all" => Ok(ReviewFilter::All),
        "accepted" => Ok(ReviewFilter::Accepted),
        other => anyhow::bail!("--review {other:?}: give accepted or all"),
    }
}
