use std::path::PathBuf;

use clap::{Parser, Subcommand};

// The model allocates and frees tensors of hundreds of MB in turn. The system
// allocator hands each one fresh pages, zeroed by the kernel; mimalloc reuses freed
// ones, which cut a 16-frame prompt's prefill on the CPU by a fifth
// (bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Vidence: a desktop studio for spatio-temporal video evidence.
#[derive(Parser)]
#[command(name = "vidence", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Videos or dataset JSON files to open (none: the demo dataset).
    paths: Vec<PathBuf>,
    /// Open the first video at this time, in seconds from its first frame.
    #[arg(long)]
    at: Option<f64>,
    /// Memory for the window's decoded frames, in MiB [default: 384].
    #[arg(long)]
    cache_mb: Option<usize>,
    /// File dialogs: auto (the desktop's where it has a dialog service, else the
    /// built-in browser), native or built-in.
    #[arg(long, default_value = "auto")]
    file_dialog: vidence::gui::DialogKind,
}

#[derive(Subcommand)]
enum Command {
    /// Print a video's metadata.
    Probe {
        video: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write one exact frame as a PNG or a JPEG (by the extension of --out).
    Frame {
        /// A video, or a dataset JSON (its video chosen by --video) to draw its
        /// labels and runs on the frame.
        source: PathBuf,
        /// 0-based frame index in presentation order.
        #[arg(long, conflicts_with = "time", required_unless_present = "time")]
        index: Option<u64>,
        /// Seconds from the first frame.
        #[arg(long, allow_negative_numbers = true)]
        time: Option<f64>,
        #[arg(long)]
        out: PathBuf,
        /// Draw the dataset's labels on the frame, as the window does.
        #[arg(long)]
        overlay: bool,
        /// A dataset's video, by id (needed when it has several).
        #[arg(long)]
        video: Option<String>,
        /// Draw this model's runs (`model.name`), or one run by its id; repeat to
        /// compare models.
        #[arg(long = "run", value_name = "NAME")]
        runs: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// A contact sheet of a model's worst items as one PNG: each item's frame where it
    /// is best seen, with the labels and its run drawn, and its scores.
    Sheet {
        dataset: PathBuf,
        /// The model (`model.name`) whose runs are scored.
        #[arg(long)]
        run: String,
        /// How many items, worst first.
        #[arg(long, default_value_t = 12)]
        worst: usize,
        #[arg(long, default_value_t = 4)]
        columns: u32,
        /// Each tile's width in pixels.
        #[arg(long, default_value_t = 480)]
        tile_width: u32,
        #[arg(long, value_name = "SHEET.png")]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write a video with a dataset's labels and model runs drawn on every frame as
    /// the window draws them: output frame i is input frame i with its overlay (H.264,
    /// the audio copied).
    Render {
        dataset: PathBuf,
        /// The video, by id (needed when the dataset has several).
        #[arg(long)]
        video: Option<String>,
        /// Draw this model's runs (`model.name`), or one run by its id; repeat to compare
        /// models, each in its colour.
        #[arg(long = "run", value_name = "NAME")]
        runs: Vec<String>,
        /// A model's box shows this many seconds either side of the time it gave.
        #[arg(long, value_name = "S", default_value_t = annotate::overlay::TOLERANCE_S)]
        tolerance: f64,
        /// Start at this time (seconds from the first frame).
        #[arg(long, value_name = "S")]
        from: Option<f64>,
        /// Stop before this time.
        #[arg(long, value_name = "S")]
        to: Option<f64>,
        /// Leave the dataset's labels out (draw only the runs).
        #[arg(long)]
        no_labels: bool,
        /// Caption the reasoning step a run cites near each time.
        #[arg(long)]
        trace: bool,
        /// A strip along the bottom: segments, the runs' spans and the play head.
        #[arg(long)]
        timeline: bool,
        /// The output's size, WxH (even numbers).
        #[arg(long, value_name = "WxH", value_parser = parse_size)]
        size: Option<[u32; 2]>,
        /// x264's constant quality: lower is better and bigger.
        #[arg(long, default_value_t = 23, value_parser = clap::value_parser!(u8).range(0..=51))]
        crf: u8,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Check a dataset file: exit 0 if valid, 1 if invalid (every problem listed by JSON
    /// path), 2 if unreadable.
    Validate {
        dataset: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Start a dataset for annotating videos: their records (size, exact frame count,
    /// frame rate), no labels yet. Never writes over a file.
    New {
        #[arg(required = true)]
        videos: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Read another tool's or a benchmark's labels into a new dataset or an existing
    /// one (one undoable edit); prints what the format's file held that Vidence could
    /// not keep. Never writes over a file.
    Import {
        /// A format (see `vidence formats`) or auto.
        format: String,
        /// Files or folders (a MOT sequence folder, say).
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// A new dataset file to write.
        #[arg(long, conflicts_with = "into", required_unless_present = "into")]
        out: Option<PathBuf>,
        /// A dataset to add the labels to.
        #[arg(long)]
        into: Option<PathBuf>,
        /// The video files the labels are on (their size, frame count and rate win
        /// over what the labels' file says or leaves out).
        #[arg(long = "video")]
        videos: Vec<PathBuf>,
        /// The file is a model's predictions (a tracker's MOT results, COCO results
        /// with their instances file, V-STaR results, Label Studio predictions):
        /// import them as runs of the model NAME, not as labels.
        #[arg(long, value_name = "NAME")]
        as_run: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write a dataset's labels in another format: one file to --out, or a folder for
    /// formats of several files. Prints what the format cannot hold.
    Export {
        format: String,
        dataset: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Only this video (by id).
        #[arg(long)]
        video: Option<String>,
        /// Which labels: all, or those a reviewer accepted or edited (the default
        /// for fine-tuning data; all for the other formats).
        #[arg(long)]
        review: Option<String>,
        /// Label Studio: a keyframe on every frame a track is seen (Label Studio itself
        /// writes only the keyframes).
        #[arg(long)]
        every_frame: bool,
        /// Fine-tuning data: whose conventions the answers' boxes and times are in
        /// (qwen3-vl: 0-1000; qwen2.5-vl: pixels of the resized frames; open-o3: those
        /// pixels in <obj>, <box> and <t> tags).
        #[arg(long, default_value = "qwen3-vl")]
        grounding: String,
        #[arg(long)]
        json: bool,
    },
    /// Score a model's runs against the dataset's labels as the benchmarks' own code
    /// does (when: tIoU as V-STaR and TubeDETR; where over time: vIoU as TubeDETR's
    /// VidSTG and HC-STVG evaluators), item by item, the weakest first.
    Eval {
        dataset: PathBuf,
        /// The model whose runs are scored: its name, as each run records it
        /// (`model.name`; the NAME of `import --as-run NAME`).
        #[arg(long)]
        run: String,
        /// A second model to compare with: each metric's change, and which items
        /// one got right and the other wrong.
        #[arg(long)]
        against: Option<String>,
        /// Also write the scores as one self-contained HTML page: the tables, plots
        /// of the per-item scores, and every item.
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Have a judge model on an OpenAI-compatible server (vLLM, SGLang, llama.cpp, a
    /// hosted API) score a model's open answers 0-3 with V-STaR's prompt; the scores
    /// are kept with the runs, and `vidence eval` counts an answer right at 2 or more.
    /// Runs already judged by this judge are skipped.
    Judge {
        dataset: PathBuf,
        /// The model whose answers are judged, as its runs name it.
        #[arg(long)]
        run: String,
        /// The server's address, such as http://localhost:8000 (with or without /v1).
        #[arg(long)]
        server: String,
        /// The judge model, as the server names it (V-STaR's is Qwen/Qwen2.5-72B-Instruct).
        #[arg(long)]
        judge: String,
        /// The environment variable holding the server's API key, if it wants one.
        #[arg(long, default_value = "OPENAI_API_KEY")]
        api_key_env: String,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 4)]
        parallel: usize,
        /// Seconds to wait for each reply.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        #[arg(long)]
        json: bool,
    },
    /// Run a model over every question of a dataset, on this machine or on
    /// OpenAI-compatible servers (vLLM, SGLang, llama.cpp, a hosted API); each answer is
    /// kept as it finishes, and the same command run again asks only what is left.
    Predict(Box<vidence::predict::Predict>),
    /// List a dataset's runs with their answered and failed jobs; `runs merge` joins
    /// the stores of a run's shards into the dataset.
    Runs(vidence::runs::Runs),
    /// List the formats Vidence imports and exports, and what each can hold.
    Formats {
        #[arg(long)]
        json: bool,
    },
    /// Generate the demo video and dataset.
    Demo {
        /// Folder to write into (default: the user's data folder).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = vidence::demo::DEFAULT_SEED)]
        seed: u64,
        /// Replace a demo dataset already there (it is kept as a backup).
        #[arg(long)]
        replace: bool,
    },
    /// Ask the vision-language model about a video: streams the answer, then prints the
    /// boxes, time spans and reasoning steps read from it.
    Ask(vidence::model_cli::Ask),
    /// Run the vision-language model.
    Model {
        #[command(subcommand)]
        what: vidence::model_cli::ModelCommand,
    },
    /// Measure decoding and seeking on a video.
    Bench {
        #[command(subcommand)]
        what: vidence::bench::BenchCommand,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if cli.command.is_some() {
        end_quietly_on_closed_pipe();
        // The window's options before a command are refused, not ignored.
        if cli.cache_mb.is_some() || cli.at.is_some() {
            eprintln!("error: --cache-mb and --at are for the window; they cannot be used with a command");
            return std::process::ExitCode::from(2);
        }
    }
    if let Some(Command::Validate { dataset, json }) = &cli.command {
        return vidence::cli::validate(dataset, *json);
    }
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn parse_size(text: &str) -> Result<[u32; 2], String> {
    let (w, h) = text.split_once(['x', 'X']).ok_or("write the size as WxH, e.g. 1280x720")?;
    let side = |s: &str| s.trim().parse::<u32>().map_err(|_| format!("{s:?} is not a number of pixels"));
    Ok([side(w)?, side(h)?])
}

/// Output piped into a reader that stops early (`| head`) ends the command as it ends
/// other Unix tools, instead of a panic in `println!`.
#[allow(unsafe_code)]
fn end_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => {
            let paths =
                if cli.paths.is_empty() { vec![vidence::demo::ensure_default()?.dataset] } else { cli.paths };
            vidence::gui::run(
                paths,
                vidence::gui::Options {
                    cache_bytes: match cli.cache_mb {
                        None => viewer::DEFAULT_CACHE_BYTES,
                        Some(mib) => mib.checked_mul(1 << 20).filter(|&b| b > 0).ok_or_else(|| {
                            anyhow::anyhow!("--cache-mb {mib} is not a size for the frame cache")
                        })?,
                    },
                    start_time: cli.at,
                    file_dialogs: cli.file_dialog,
                    recent_models: directories::ProjectDirs::from("", "", "vidence")
                        .map(|d| d.config_dir().join("recent_models.json")),
                    ..Default::default()
                },
            )
        }
        Some(Command::Probe { video, json }) => vidence::cli::probe(&video, json),
        Some(Command::Frame { source, index, time, out, overlay, video, runs, json }) => {
            let overlay = (overlay || !runs.is_empty() || video.is_some())
                .then(|| vidence::render::Options { video, runs, labels: overlay, ..Default::default() });
            vidence::cli::frame(&source, index, time, &out, overlay.as_ref(), json)
        }
        Some(Command::Sheet { dataset, run, worst, columns, tile_width, out, json }) => {
            let options = vidence::render::sheet::SheetOptions { run, worst, columns, tile_width };
            vidence::render::sheet::command(&dataset, &options, &out, json)
        }
        Some(Command::Render {
            dataset,
            video,
            runs,
            tolerance,
            from,
            to,
            no_labels,
            trace,
            timeline,
            size,
            crf,
            out,
            json,
        }) => {
            let options = vidence::render::Options {
                video,
                runs,
                tolerance_s: tolerance,
                from_s: from,
                to_s: to,
                labels: !no_labels,
                trace,
                timeline,
                size,
                crf,
            };
            vidence::render::command(&dataset, &options, &out, json)
        }
        Some(Command::New { videos, out, json }) => vidence::videos::create(&videos, &out, json),
        Some(Command::Import { format, sources, out, into, videos, as_run, json }) => {
            let target = match (out, into) {
                (Some(out), _) => vidence::convert::Target::New(out),
                (None, Some(into)) => vidence::convert::Target::Into(into),
                (None, None) => anyhow::bail!("give --out NEW.json or --into DATASET.json"),
            };
            vidence::convert::import_command(&format, &sources, &target, &videos, as_run.as_deref(), json)
        }
        Some(Command::Export { format, dataset, out, video, review, every_frame, grounding, json }) => {
            let format = vidence::convert::named(&format)?;
            let review = match review {
                Some(name) => vidence::convert::review_filter(&name)?,
                None => format.default_review(),
            };
            let grounding = grounding.parse().map_err(|e| anyhow::anyhow!("--grounding {e}"))?;
            let options = annotate::formats::ExportOptions { video, review, every_frame, grounding };
            vidence::convert::export_command(format, &dataset, &out, &options, json)
        }
        Some(Command::Eval { dataset, run, against, report, json }) => {
            vidence::evaluate::command(&dataset, &run, against.as_deref(), report.as_deref(), json)
        }
        Some(Command::Judge { dataset, run, server, judge, api_key_env, parallel, timeout, json }) => {
            let options = vidence::judge::Options {
                server: &server,
                judge: &judge,
                api_key: std::env::var(&api_key_env).ok().filter(|k| !k.is_empty()),
                parallel,
                timeout: std::time::Duration::from_secs(timeout),
            };
            vidence::judge::command(&dataset, &run, &options, json)
        }
        Some(Command::Predict(args)) => vidence::predict::command(&args),
        Some(Command::Runs(runs)) => vidence::runs::command(&runs),
        Some(Command::Formats { json }) => {
            vidence::convert::list_formats(json);
            Ok(())
        }
        Some(Command::Demo { out, seed, replace }) => {
            let existing =
                if replace { vidence::demo::Existing::Replace } else { vidence::demo::Existing::Refuse };
            vidence::cli::demo(out, seed, existing)
        }
        Some(Command::Validate { .. }) => unreachable!("handled in main for its exit codes"),
        Some(Command::Bench { what }) => vidence::bench::run(&what),
        Some(Command::Model { what }) => vidence::model_cli::run(&what),
        Some(Command::Ask(args)) => vidence::model_cli::ask(&args),
    }
}
