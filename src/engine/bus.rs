//! Return buses: tracks send part of their signal (post-fader) here; each bus
//! runs an effect chain (a shared reverb, say) and returns into the master.
//!
//! Built on the control thread; `feed` and `render` run on the audio thread.

use super::dsp::{balance_gains, head, head_mut, MeterAcc, Smoother};
use super::effect::{ChainSlot, EffectChain};
use super::MAX_BLOCK;

pub struct Bus {
    chain: ChainSlot,
    gain: Smoother,
    /// The return fader's level; the gain glides to it unless muted.
    volume: f32,
    mute: bool,
    pan_l: Smoother,
    pan_r: Smoother,
    in_l: Box<[f32]>,
    in_r: Box<[f32]>,
    pub meter: MeterAcc,
}

impl Bus {
    /// Control thread.
    pub fn new(chain: EffectChain, gain: f32, pan: f32, mute: bool, rate: f32) -> Self {
        let (l, r) = balance_gains(pan);
        Self {
            chain: ChainSlot::new(chain, rate),
            gain: Smoother::new(if mute { 0.0 } else { gain }, 0.005, rate),
            volume: gain,
            mute,
            pan_l: Smoother::new(l, 0.005, rate),
            pan_r: Smoother::new(r, 0.005, rate),
            in_l: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            in_r: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            meter: MeterAcc::default(),
        }
    }

    pub fn set_gain(&mut self, gain: f32) {
        self.volume = gain;
        self.gain.set(if self.mute { 0.0 } else { gain });
    }

    /// Silence the return (the chain keeps running, so its tail is there
    /// when the bus comes back).
    pub fn set_mute(&mut self, on: bool) {
        self.mute = on;
        self.set_gain(self.volume);
    }

    /// Balance the return: -1 left, 1 right, centre at unity.
    pub fn set_pan(&mut self, pan: f32) {
        let (l, r) = balance_gains(pan);
        self.pan_l.set(l);
        self.pan_r.set(r);
    }

    /// Audio thread: crossfade to a new chain; returns a chain to free.
    pub fn replace_chain(&mut self, chain: Box<EffectChain>) -> Option<Box<EffectChain>> {
        self.chain.replace(chain)
    }

    /// Audio thread: the effect chain, for parameter changes.
    pub fn chain_mut(&mut self) -> &mut ChainSlot {
        &mut self.chain
    }

    /// Audio thread: the previous chain once it has faded out.
    pub fn take_faded(&mut self) -> Option<Box<EffectChain>> {
        self.chain.take_faded()
    }

    /// Audio thread: start a block.
    pub fn clear(&mut self, n: usize) {
        head_mut(&mut self.in_l, n).fill(0.0);
        head_mut(&mut self.in_r, n).fill(0.0);
    }

    /// Audio thread: add a track's signal at the (gliding) send level.
    pub fn feed(&mut self, l: &[f32], r: &[f32], send: &mut Smoother) {
        let into = self.in_l.iter_mut().zip(self.in_r.iter_mut());
        for ((il, ir), (l, r)) in into.zip(l.iter().zip(r)) {
            let g = send.next();
            *il += l * g;
            *ir += r * g;
        }
    }

    /// Audio thread: run the chain and add the result into the master.
    /// The meter reads the return after its fader, as a track's does.
    pub fn render(&mut self, out_l: &mut [f32], out_r: &mut [f32]) {
        let n = out_l.len().min(out_r.len()).min(MAX_BLOCK);
        let (il, ir) = (head_mut(&mut self.in_l, n), head_mut(&mut self.in_r, n));
        self.chain.process(il, ir);
        // A centred return is exactly its fader (the balance law's centre
        // is unity only to a rounding), so a bus nobody pans sounds as before.
        let centred = self.pan_l.is_settled()
            && self.pan_r.is_settled()
            && self.pan_l.value == self.pan_r.value;
        let ret = il.iter_mut().zip(ir.iter_mut());
        for ((il, ir), (ol, or)) in ret.zip(out_l.iter_mut().zip(out_r.iter_mut())) {
            let g = self.gain.next();
            let (l, r) = if centred {
                (*il * g, *ir * g)
            } else {
                (*il * g * self.pan_l.next(), *ir * g * self.pan_r.next())
            };
            *il = l;
            *ir = r;
            *ol += l;
            *or += r;
        }
        self.meter.add(head(&self.in_l, n), head(&self.in_r, n));
    }
}
