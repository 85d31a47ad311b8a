//! What an import or export could not keep: counted by what and why, with the first
//! few places it was, so nothing is dropped without a word.

use serde::Serialize;

/// How many places a [`Skipped`] names; the count goes on past them.
const PLACES: usize = 10;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    pub skipped: Vec<Skipped>,
    /// What the file did not say and was taken as given (a frame rate, a size).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumed: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    pub what: String,
    pub count: usize,
    pub why: String,
    /// The first places in the file it was (element paths, line numbers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<String>,
}

impl Report {
    /// One more `what` left out for `why`, found `at`.
    pub fn skip(&mut self, what: &str, why: &str, at: impl Into<String>) {
        let entry = match self.skipped.iter().position(|s| s.what == what && s.why == why) {
            Some(i) => &mut self.skipped[i],
            None => {
                self.skipped.push(Skipped { what: what.into(), count: 0, why: why.into(), at: Vec::new() });
                self.skipped.last_mut().expect("just pushed")
            }
        };
        entry.count += 1;
        if entry.at.len() < PLACES {
            entry.at.push(at.into());
        }
    }

    /// How many `what` were left out, for whatever reason.
    pub fn count(&self, what: &str) -> usize {
        self.skipped.iter().filter(|s| s.what == what).map(|s| s.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.skipped.is_empty() && self.assumed.is_empty()
    }

    /// The report in lines for people: `N what: why (at ...)`.
    pub fn lines(&self) -> Vec<String> {
        let skipped = self.skipped.iter().map(|s| {
            let more = if s.count > s.at.len() { ", ..." } else { "" };
            let at = if s.at.is_empty() { String::new() } else { format!(" (at {}{more})", s.at.join(", ")) };
            format!("skipped {} {}: {}{at}", s.count, s.what, s.why)
        });
        skipped.chain(self.assumed.iter().map(|a| format!("assumed: {a}"))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_of_one_kind_are_counted_together_and_name_their_first_places() {
        let mut r = Report::default();
        for i in 0..12 {
            r.skip("polygons", "only boxes are kept", format!("track[{i}]"));
        }
        r.skip("polygons", "outside the frame", "track[99]");
        r.skip("points", "only boxes are kept", "image[0]");
        assert_eq!(r.count("polygons"), 13);
        assert_eq!(r.skipped[0].at.len(), PLACES);
        assert_eq!(
            r.lines()[0],
            format!(
                "skipped 12 polygons: only boxes are kept (at {}, ...)",
                (0..10).map(|i| format!("track[{i}]")).collect::<Vec<_>>().join(", ")
            )
        );
        assert_eq!(r.lines()[2], "skipped 1 points: only boxes are kept (at image[0])");
    }
}
