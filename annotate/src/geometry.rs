use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A box in pixels of the displayed (rotation-applied) frame: `[x1, y1, x2, y2]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct BBox(pub [f32; 4]);

impl BBox {
    pub fn new(x1: f32, y1: f32, x2: f32, y2: f32) -> Self {
        Self([x1, y1, x2, y2])
    }

    pub fn width(&self) -> f32 {
        self.0[2] - self.0[0]
    }

    pub fn height(&self) -> f32 {
        self.0[3] - self.0[1]
    }

    pub fn center(&self) -> [f32; 2] {
        [(self.0[0] + self.0[2]) / 2.0, (self.0[1] + self.0[3]) / 2.0]
    }

    /// Component-wise linear blend: `t = 0` gives `self`, `t = 1` gives `other`.
    pub fn lerp(&self, other: &BBox, t: f32) -> BBox {
        let mut out = [0.0; 4];
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.0[i] + (other.0[i] - self.0[i]) * t;
        }
        BBox(out)
    }

    /// Intersection over union; 0 for boxes that do not overlap.
    pub fn iou(&self, other: &BBox) -> f32 {
        let w = (self.0[2].min(other.0[2]) - self.0[0].max(other.0[0])).max(0.0);
        let h = (self.0[3].min(other.0[3]) - self.0[1].max(other.0[1])).max(0.0);
        let inter = w * h;
        let union = self.width() * self.height() + other.width() * other.height() - inter;
        if union > 0.0 { inter / union } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_and_iou() {
        let a = BBox::new(0.0, 0.0, 10.0, 10.0);
        let b = BBox::new(10.0, 0.0, 20.0, 10.0);
        assert_eq!(a.lerp(&b, 0.5), BBox::new(5.0, 0.0, 15.0, 10.0));
        assert_eq!(a.iou(&b), 0.0);
        assert!((a.iou(&a.lerp(&b, 0.5)) - 50.0 / 150.0).abs() < 1e-6);
        assert_eq!(a.center(), [5.0, 5.0]);
    }
}
