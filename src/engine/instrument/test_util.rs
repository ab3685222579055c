//! What the instruments' unit tests share: rendering an instrument in
//! blocks, and its peak and RMS. Test builds only.

use super::Instrument;

/// `frames` of `inst`, rendered `block` frames at a time as the engine would.
pub fn render(inst: &mut dyn Instrument, frames: usize, block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        inst.render(cl, cr);
    }
    (l, r)
}

pub fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, s| m.max(s.abs()))
}

pub fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|s| s * s).sum::<f32>() / x.len().max(1) as f32).sqrt()
}
