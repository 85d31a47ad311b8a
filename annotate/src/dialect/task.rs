//! What Vidence asks a model, and how: each task's prompt, written so the answer comes
//! in a shape [`super::parse`] reads (Qwen3-VL's 0–1000 box grid, times in seconds
//! from the clip's start).

use std::fmt;

use super::write::{Grounding, Layout};

/// A box on the 0–1000 grid the model uses.
pub type GridBox = [u32; 4];

#[derive(Clone, Debug, PartialEq)]
pub enum Task {
    /// Answer a question, with reasoning that cites times and boxes.
    Answer { question: String },
    /// Follow a named object: a box at each sampled time (a trajectory).
    Track { object: String },
    /// When something happens: its start and end.
    When { event: String },
    /// Describe a region the user drew, at a time.
    Region { bbox: GridBox, time_s: f64 },
    /// The clip's events in order, each with its start and end.
    Captions,
}

impl Task {
    /// The prompt in Qwen3-VL's conventions, as Vidence asks its own model.
    pub fn prompt(&self) -> String {
        self.prompt_for(Grounding::Qwen3Vl)
    }

    /// The prompt asking for an answer in `g`'s conventions (its grid, JSON or tags).
    pub fn prompt_for(&self, g: Grounding) -> String {
        let units = match g {
            Grounding::Qwen3Vl => "from 0 to 1000",
            Grounding::Qwen25Vl | Grounding::OpenO3 => "in pixels of the frames you see",
        };
        let tags = g.layout() == Layout::Tags;
        match self {
            Task::Answer { question } => format!(
                "{question}\nThink step by step inside <think></think>. When you mention an object, write \
                 <obj>name</obj><box>[x1,y1,x2,y2]</box> with coordinates {units}, and when you mention \
                 a moment write <t>seconds</t>. Then give the final answer inside <answer></answer>."
            ),
            Task::Track { object } if tags => format!(
                "Locate {object} in every frame where it is visible: for each, write \
                 <obj>name</obj><box>[x1,y1,x2,y2]</box> at <t>seconds</t> with coordinates {units}."
            ),
            Task::Track { object } => format!(
                "Locate {object} in every frame where it is visible. Output JSON: a list of \
                 {{\"time\": seconds, \"bbox_2d\": [x1, y1, x2, y2]}} with coordinates {units}."
            ),
            Task::When { event } if tags => {
                format!("When does this happen: {event}? Answer: from <t>seconds</t> to <t>seconds</t>.")
            }
            Task::When { event } => format!(
                "When does this happen: {event}? Output JSON: {{\"start\": seconds, \"end\": seconds}}."
            ),
            Task::Region { bbox: [x1, y1, x2, y2], time_s } => format!(
                "Describe what is in the region [{x1}, {y1}, {x2}, {y2}] (coordinates {units}) at \
                 {time_s:.1} seconds, and what it does."
            ),
            Task::Captions => "Describe the events of this video in order. Output JSON: a list of \
                 {\"start\": seconds, \"end\": seconds, \"description\": text}."
                .to_owned(),
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Task::Answer { .. } => "answer",
            Task::Track { .. } => "track",
            Task::When { .. } => "when",
            Task::Region { .. } => "region",
            Task::Captions => "captions",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{Context, Coordinates, parse};

    #[test]
    fn answers_in_the_shape_each_prompt_asks_for_are_read() {
        let cx = Context {
            video_width: 1000,
            video_height: 1000,
            coordinates: Coordinates::Relative1000,
            clip_start_s: 2.0,
        };
        let track = Task::Track { object: "the ball".into() }.prompt();
        assert!(track.contains("bbox_2d"));
        let p = parse(
            r#"[{"time": 0.5, "bbox_2d": [1, 2, 30, 40]}, {"time": 1.5, "bbox_2d": [5, 6, 70, 80]}]"#,
            &cx,
        );
        assert_eq!(p.boxes.iter().map(|b| b.time_s).collect::<Vec<_>>(), [Some(2.5), Some(3.5)]);
        assert!(Task::When { event: "the door opens".into() }.prompt().contains("\"start\""));
        assert_eq!(parse(r#"{"start": 1, "end": 4}"#, &cx).spans.len(), 1);
        let answer = Task::Answer { question: "Where is it?".into() }.prompt();
        assert!(answer.starts_with("Where is it?") && answer.contains("<answer>"));
        assert!(Task::Region { bbox: [1, 2, 3, 4], time_s: 1.25 }.prompt().contains("[1, 2, 3, 4]"));
        assert_eq!(Task::Captions.to_string(), "captions");
    }
}
