//! A procedural scene with exact ground truth: flat shapes moving on smooth paths,
//! entering and leaving the frame and passing in front of each other.

use std::f32::consts::TAU;

pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;
pub const FPS: i32 = 30;
pub const SECONDS: u32 = 20;
pub const FRAMES: u64 = (FPS as u64) * SECONDS as u64;

/// A tiny, stable PRNG (splitmix64): the same seed gives the same scene forever.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    Circle,
    Square,
    Triangle,
    Diamond,
    Ring,
}

#[derive(Clone, Debug)]
pub struct Shape {
    pub id: &'static str,
    pub name: &'static str,
    pub form: Form,
    pub color: [u8; 3],
    /// Half the side / radius in pixels.
    pub size: f32,
    path: Path,
}

/// Centre position over time: a base drift plus two sine sways.
#[derive(Clone, Debug)]
struct Path {
    start: [f32; 2],
    velocity: [f32; 2],
    sway: [f32; 2],
    period: [f32; 2],
    phase: [f32; 2],
}

impl Path {
    fn at(&self, t: f32) -> [f32; 2] {
        [0, 1].map(|i| {
            self.start[i]
                + self.velocity[i] * t
                + self.sway[i] * (TAU * t / self.period[i] + self.phase[i]).sin()
        })
    }
}

/// The scene's recipe (`assets/demo_scene.json`): which shapes, and the paths they
/// drift on before the seeded jitter.
#[derive(serde::Deserialize)]
struct Recipe {
    shapes: Vec<ShapeRecipe>,
}

#[derive(serde::Deserialize)]
struct ShapeRecipe {
    id: String,
    name: String,
    form: Form,
    color: [u8; 3],
    size: f32,
    /// 0 at the back.
    depth: usize,
    /// A fraction of the frame plus pixels, across and down.
    start: Start,
    velocity: [f32; 2],
    sway: f32,
}

#[derive(serde::Deserialize)]
struct Start {
    x: [f32; 2],
    y: [f32; 2],
}

static RECIPE: std::sync::LazyLock<Recipe> = std::sync::LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../assets/demo_scene.json"))
        .expect("assets/demo_scene.json is a recipe")
});

/// The shapes from back to front; the same seed gives the same scene.
pub fn shapes(seed: u64) -> Vec<Shape> {
    let mut rng = Rng::new(seed);
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    // Paths are drawn from the generator in the recipe's order.
    let mut shapes: Vec<(usize, Shape)> = RECIPE
        .shapes
        .iter()
        .map(|r| {
            let start = [r.start.x[0] * w + r.start.x[1], r.start.y[0] * h + r.start.y[1]];
            let path = Path {
                start: [start[0] + rng.range(-40.0, 40.0), start[1] + rng.range(-30.0, 30.0)],
                velocity: [r.velocity[0] * rng.range(0.9, 1.1), r.velocity[1] * rng.range(0.9, 1.1)],
                sway: [r.sway * rng.range(0.6, 1.0), r.sway * rng.range(0.6, 1.0)],
                period: [rng.range(6.0, 10.0), rng.range(5.0, 9.0)],
                phase: [rng.range(0.0, TAU), rng.range(0.0, TAU)],
            };
            let shape = Shape { id: &r.id, name: &r.name, form: r.form, color: r.color, size: r.size, path };
            (r.depth, shape)
        })
        .collect();
    shapes.sort_by_key(|(depth, _)| *depth);
    shapes.into_iter().map(|(_, s)| s).collect()
}

impl Shape {
    pub fn center(&self, t: f32) -> [f32; 2] {
        self.path.at(t)
    }

    /// Does the shape centred at `c` cover the pixel centre `(x, y)`?
    fn covers(&self, c: [f32; 2], x: f32, y: f32) -> bool {
        let (dx, dy, s) = (x - c[0], y - c[1], self.size);
        match self.form {
            Form::Circle => dx * dx + dy * dy <= s * s,
            Form::Ring => {
                let d2 = dx * dx + dy * dy;
                d2 <= s * s && d2 >= (s * 0.55) * (s * 0.55)
            }
            Form::Square => dx.abs() <= s && dy.abs() <= s,
            Form::Diamond => dx.abs() + dy.abs() <= s,
            Form::Triangle => {
                // Apex up; base at +s, apex at -s.
                dy <= s && dy >= -s && dx.abs() <= (dy + s) / 2.0
            }
        }
    }
}

/// One shape on one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShapeState {
    /// Pixel box of the shape's in-frame pixels `[x1, y1, x2, y2]` (x2, y2 exclusive).
    pub bbox: Option<[u32; 4]>,
    /// In-frame pixels of the shape, hidden or not.
    pub area: u32,
    /// Pixels where it is the front-most shape.
    pub visible: u32,
    /// The shape in front that hides most of it.
    pub occluder: Option<usize>,
}

impl ShapeState {
    pub fn outside(&self) -> bool {
        self.area == 0
    }

    /// More than a third hidden behind other shapes.
    pub fn occluded(&self) -> bool {
        self.area > 0 && self.visible * 3 < self.area * 2
    }
}

/// Rasterises frames and measures every shape's exact box and visibility.
pub struct Renderer {
    shapes: Vec<Shape>,
    background: Vec<u8>,
    /// Front-most shape per pixel (+1; 0 is background).
    ids: Vec<u8>,
}

impl Renderer {
    pub fn new(shapes: Vec<Shape>) -> Self {
        let (w, h) = (WIDTH as usize, HEIGHT as usize);
        let mut background = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                let grid = x % 80 == 0 || y % 80 == 0;
                let base = 30 + (y * 40 / h) as u8;
                let v = if grid { base + 25 } else { base };
                background[(y * w + x) * 3..][..3].copy_from_slice(&[v, v, v + 12]);
            }
        }
        Self { shapes, background, ids: vec![0; w * h] }
    }

    pub fn shapes(&self) -> &[Shape] {
        &self.shapes
    }

    /// Draw frame `frame` into `rgb` and return every shape's state on it.
    pub fn render(&mut self, frame: u64, rgb: &mut Vec<u8>) -> Vec<ShapeState> {
        let t = frame as f32 / FPS as f32;
        let (w, h) = (i64::from(WIDTH), i64::from(HEIGHT));
        self.ids.fill(0);
        let mut states = Vec::with_capacity(self.shapes.len());
        let mut covered_by: Vec<Vec<u32>> = vec![vec![0; self.shapes.len()]; self.shapes.len()];
        for (n, shape) in self.shapes.iter().enumerate() {
            let c = shape.center(t);
            let r = shape.size.ceil() as i64 + 1;
            let (x0, x1) = ((c[0] as i64 - r).max(0), (c[0] as i64 + r + 1).min(w));
            let (y0, y1) = ((c[1] as i64 - r).max(0), (c[1] as i64 + r + 1).min(h));
            let mut state = ShapeState { bbox: None, area: 0, visible: 0, occluder: None };
            let mut bb = [u32::MAX, u32::MAX, 0, 0];
            for y in y0..y1 {
                for x in x0..x1 {
                    if !shape.covers(c, x as f32 + 0.5, y as f32 + 0.5) {
                        continue;
                    }
                    let p = (y * w + x) as usize;
                    if self.ids[p] > 0 {
                        // Shapes are drawn back to front: a later one hides an earlier one.
                        covered_by[usize::from(self.ids[p] - 1)][n] += 1;
                    }
                    self.ids[p] = (n + 1) as u8;
                    state.area += 1;
                    bb = [
                        bb[0].min(x as u32),
                        bb[1].min(y as u32),
                        bb[2].max(x as u32 + 1),
                        bb[3].max(y as u32 + 1),
                    ];
                }
            }
            if state.area > 0 {
                state.bbox = Some(bb);
            }
            states.push(state);
        }
        rgb.clear();
        rgb.extend_from_slice(&self.background);
        for (p, &id) in self.ids.iter().enumerate() {
            if id > 0 {
                let n = usize::from(id - 1);
                states[n].visible += 1;
                rgb[p * 3..p * 3 + 3].copy_from_slice(&self.shapes[n].color);
            }
        }
        for (n, state) in states.iter_mut().enumerate() {
            let (front, hidden) =
                covered_by[n].iter().enumerate().max_by_key(|(_, c)| **c).unwrap_or((0, &0));
            if *hidden > 0 {
                state.occluder = Some(front);
            }
        }
        states
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_are_exact_and_states_are_consistent() {
        let mut renderer = Renderer::new(shapes(7));
        let mut rgb = Vec::new();
        for frame in [0, 150, 300, 599] {
            let states = renderer.render(frame, &mut rgb);
            assert_eq!(rgb.len(), (WIDTH * HEIGHT * 3) as usize);
            for (n, s) in states.iter().enumerate() {
                assert!(s.visible <= s.area);
                let Some([x1, y1, x2, y2]) = s.bbox else { continue };
                // Every visible pixel of the shape lies in its box.
                let color = renderer.shapes()[n].color;
                for y in 0..HEIGHT {
                    for x in 0..WIDTH {
                        let p = ((y * WIDTH + x) * 3) as usize;
                        if rgb[p..p + 3] == color {
                            assert!(
                                x >= x1 && x < x2 && y >= y1 && y < y2,
                                "shape {n} pixel ({x},{y}) outside its box"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_scene_has_exits_and_occlusions() {
        let mut renderer = Renderer::new(shapes(7));
        let mut rgb = Vec::new();
        let (mut outside, mut occluded) = (0, 0);
        for frame in (0..FRAMES).step_by(10) {
            for s in renderer.render(frame, &mut rgb) {
                outside += usize::from(s.outside());
                occluded += usize::from(s.occluded());
            }
        }
        assert!(outside > 0 && occluded > 0, "outside {outside}, occluded {occluded}");
    }
}
