//! Rotary positions of a prompt with images and videos, as the reference's
//! `get_rope_index`: text counts up one per token; an image (or each frame of a video)
//! gets a time, row and column grid starting where the text stopped, and the text
//! after it resumes past the grid's larger side.

use super::rope::Positions;
use super::vision::Grid;
use crate::error::{ModelError, Result};

/// Which tokens stand for images and videos, and their patch grids in prompt order.
pub struct Media {
    pub image_token: u32,
    pub video_token: u32,
    pub images: Vec<Grid>,
    pub videos: Vec<Grid>,
}

pub fn rope_index(ids: &[u32], media: &Media, merge: usize) -> Result<Positions> {
    let kind = |t: u32| {
        if t == media.image_token {
            1
        } else if t == media.video_token {
            2
        } else {
            0
        }
    };
    // A video's frames are separated by their timestamps: one grid per frame.
    let frames: Vec<Grid> =
        media.videos.iter().flat_map(|&[t, h, w]| std::iter::repeat_n([1, h, w], t)).collect();
    let mut images = media.images.iter();
    let mut videos = frames.iter();
    let mut out: Positions =
        [Vec::with_capacity(ids.len()), Vec::with_capacity(ids.len()), Vec::with_capacity(ids.len())];
    let mut current: i64 = 0;
    let mut i = 0;
    while i < ids.len() {
        let k = kind(ids[i]);
        let run = ids[i..].iter().take_while(|&&t| kind(t) == k).count();
        if k == 0 {
            for p in current..current + run as i64 {
                out.iter_mut().for_each(|axis| axis.push(p));
            }
            current += run as i64;
        } else {
            let what = if k == 1 { "image" } else { "video frame" };
            let grid = if k == 1 { images.next() } else { videos.next() };
            let &[t, h, w] =
                grid.ok_or_else(|| ModelError::Input(format!("more {what}s in the prompt than grids")))?;
            let (gh, gw) = (h / merge, w / merge);
            if run != t * gh * gw {
                return Err(ModelError::Input(format!("{run} {what} tokens for a grid of {}", t * gh * gw)));
            }
            for ti in 0..t {
                for hi in 0..gh {
                    for wi in 0..gw {
                        out[0].push(current + ti as i64);
                        out[1].push(current + hi as i64);
                        out[2].push(current + wi as i64);
                    }
                }
            }
            current += (h.max(w) / merge) as i64;
        }
        i += run;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_grid_starts_where_the_text_stopped_and_the_text_resumes_past_it() {
        // Two text tokens, a 4x6-patch image (2x3 tokens), one text token.
        let ids = [1, 2, 9, 9, 9, 9, 9, 9, 3];
        let media = Media { image_token: 9, video_token: 8, images: vec![[1, 4, 6]], videos: vec![] };
        let [t, h, w] = rope_index(&ids, &media, 2).unwrap();
        assert_eq!(t, [0, 1, 2, 2, 2, 2, 2, 2, 5]);
        assert_eq!(h, [0, 1, 2, 2, 2, 3, 3, 3, 5]);
        assert_eq!(w, [0, 1, 2, 3, 4, 2, 3, 4, 5]);
        let short = Media { images: vec![[1, 2, 2]], ..media };
        assert!(rope_index(&ids, &short, 2).is_err(), "6 tokens for a grid of 1");
    }
}
