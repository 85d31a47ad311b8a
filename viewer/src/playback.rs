//! The play head: which frame is current, changed only through [`PlaybackCommand`]s
//! applied at a frame boundary, and advanced by wall-clock time while playing.

use crate::index::FrameIndex;
use annotate::time::FrameTimes;

pub const MIN_SPEED: f64 = 0.25;
pub const MAX_SPEED: f64 = 4.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlaybackCommand {
    Play,
    Pause,
    TogglePlay,
    /// Move by whole frames (negative: back); pauses.
    Step(i64),
    /// Move by seconds of video time; pauses.
    StepSeconds(f64),
    SeekFrame(u64),
    SeekTime(f64),
    First,
    Last,
    SetSpeed(f64),
    /// Loop playback over an inclusive frame range, or stop looping.
    SetLoop(Option<(u64, u64)>),
}

#[derive(Clone, Debug)]
pub struct Playback {
    frame: u64,
    playing: bool,
    speed: f64,
    loop_range: Option<(u64, u64)>,
    /// While playing: (wall-clock seconds, video seconds) at the last anchor.
    anchor: Option<(f64, f64)>,
}

impl Default for Playback {
    fn default() -> Self {
        Self { frame: 0, playing: false, speed: 1.0, loop_range: None, anchor: None }
    }
}

impl Playback {
    pub fn frame(&self) -> u64 {
        self.frame
    }

    pub fn is_playing(&self) -> bool {
        self.playing
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn loop_range(&self) -> Option<(u64, u64)> {
        self.loop_range
    }

    /// Apply one command; `now_s` is wall-clock seconds from any fixed origin.
    pub fn apply(&mut self, command: PlaybackCommand, index: &FrameIndex, now_s: f64) {
        let last = index.len().saturating_sub(1);
        match command {
            PlaybackCommand::Play => {
                match self.loop_range {
                    Some((start, end)) if self.frame < start || self.frame > end => self.frame = start,
                    None if self.frame >= last => self.frame = 0,
                    _ => {}
                }
                self.playing = true;
            }
            PlaybackCommand::Pause => self.playing = false,
            PlaybackCommand::TogglePlay => {
                let next = if self.playing { PlaybackCommand::Pause } else { PlaybackCommand::Play };
                return self.apply(next, index, now_s);
            }
            PlaybackCommand::Step(n) => {
                self.playing = false;
                self.frame = self.frame.saturating_add_signed(n).min(last);
            }
            PlaybackCommand::StepSeconds(s) => {
                self.playing = false;
                self.frame = index.frame_at_time(index.time_of(self.frame) + s);
            }
            PlaybackCommand::SeekFrame(f) => self.frame = f.min(last),
            PlaybackCommand::SeekTime(t) => self.frame = index.frame_at_time(t),
            PlaybackCommand::First => self.frame = 0,
            PlaybackCommand::Last => self.frame = last,
            PlaybackCommand::SetSpeed(s) => self.speed = s.clamp(MIN_SPEED, MAX_SPEED),
            PlaybackCommand::SetLoop(range) => {
                self.loop_range = range.map(|(a, b)| (a.min(b).min(last), a.max(b).min(last)));
            }
        }
        // Any change re-anchors the clock at the current frame.
        self.anchor = self.playing.then(|| (now_s, index.time_of(self.frame)));
    }

    /// Advance while playing; returns the current frame.
    pub fn tick(&mut self, index: &FrameIndex, now_s: f64) -> u64 {
        let Some((wall, video)) = self.anchor.filter(|_| self.playing) else { return self.frame };
        let t = video + (now_s - wall) * self.speed;
        let last = index.len().saturating_sub(1);
        let frame = index.frame_at_time(t);
        if let Some((start, end)) = self.loop_range {
            let loop_end = index.time_of(end) + frame_duration(index, end);
            if t >= loop_end {
                // Carry the time past the loop end into the next lap.
                let lap = (loop_end - index.time_of(start)).max(1e-9);
                let t = index.time_of(start) + (t - loop_end) % lap;
                self.frame = index.frame_at_time(t).clamp(start, end);
                self.anchor = Some((now_s, t));
                return self.frame;
            }
        } else if frame >= last && t >= index.duration_s() {
            self.frame = last;
            self.playing = false;
            self.anchor = None;
            return self.frame;
        }
        self.frame = frame;
        self.frame
    }
}

fn frame_duration(index: &FrameIndex, frame: u64) -> f64 {
    if frame + 1 < index.len() {
        index.time_of(frame + 1) - index.time_of(frame)
    } else {
        index.duration_s() - index.time_of(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::FrameEntry;

    /// 10 frames at 10 fps.
    fn index() -> FrameIndex {
        let frames = (0..10).map(|i| FrameEntry { pts: i * 100, duration: 100, key: i == 0 }).collect();
        FrameIndex::new(frames, 0.001)
    }

    #[test]
    fn steps_and_seeks_stay_in_range() {
        let idx = index();
        let mut p = Playback::default();
        p.apply(PlaybackCommand::Step(3), &idx, 0.0);
        assert_eq!(p.frame(), 3);
        p.apply(PlaybackCommand::Step(-5), &idx, 0.0);
        assert_eq!(p.frame(), 0);
        p.apply(PlaybackCommand::StepSeconds(0.5), &idx, 0.0);
        assert_eq!(p.frame(), 5);
        p.apply(PlaybackCommand::Last, &idx, 0.0);
        assert_eq!(p.frame(), 9);
        p.apply(PlaybackCommand::SeekTime(0.25), &idx, 0.0);
        assert_eq!(p.frame(), 2);
        p.apply(PlaybackCommand::SetSpeed(100.0), &idx, 0.0);
        assert_eq!(p.speed(), MAX_SPEED);
    }

    #[test]
    fn plays_at_speed_and_stops_at_the_end() {
        let idx = index();
        let mut p = Playback::default();
        p.apply(PlaybackCommand::SetSpeed(2.0), &idx, 0.0);
        p.apply(PlaybackCommand::Play, &idx, 10.0);
        assert_eq!(p.tick(&idx, 10.0), 0);
        assert_eq!(p.tick(&idx, 10.1), 2);
        assert_eq!(p.tick(&idx, 10.26), 5);
        assert_eq!(p.tick(&idx, 20.0), 9);
        assert!(!p.is_playing());
        // Play again from the end starts over.
        p.apply(PlaybackCommand::TogglePlay, &idx, 30.0);
        assert!(p.is_playing());
        assert_eq!(p.frame(), 0);
    }

    #[test]
    fn loops_over_a_range() {
        let idx = index();
        let mut p = Playback::default();
        p.apply(PlaybackCommand::SetLoop(Some((6, 3))), &idx, 0.0);
        assert_eq!(p.loop_range(), Some((3, 6)));
        p.apply(PlaybackCommand::SeekFrame(3), &idx, 0.0);
        p.apply(PlaybackCommand::Play, &idx, 0.0);
        assert_eq!(p.tick(&idx, 0.35), 6);
        assert_eq!(p.tick(&idx, 0.45), 3);
        assert!(p.is_playing());
    }
}
