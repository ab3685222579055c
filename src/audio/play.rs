//! Playing a finished buffer through the device once (`termdaw tone`),
//! without the engine.
//!
//! Control thread: [`play_mono`] and [`play_stereo`] open the stream and waits for the end.
//! The cpal callback (the audio thread) only copies samples and sets a
//! flag: no allocation, lock or I/O.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SizedSample};

use super::device::{DeviceError, Probe};

/// Play `samples` (generated at `p.rate`) on every channel of the probed
/// device, and return when they have been played.
pub fn play_mono(p: &Probe, samples: Vec<f32>) -> Result<(), DeviceError> {
    play(p, samples, 1)
}

/// Play planar stereo (made at `p.rate`): left on the first channel, right
/// on the second and on any further ones (a mono device gets the mix).
pub fn play_stereo(p: &Probe, l: &[f32], r: &[f32]) -> Result<(), DeviceError> {
    let frames = if p.channels < 2 {
        l.iter().zip(r).map(|(a, b)| 0.5 * (a + b)).collect()
    } else {
        l.iter().zip(r).flat_map(|(a, b)| [*a, *b]).collect()
    };
    play(p, frames, if p.channels < 2 { 1 } else { 2 })
}

/// Play interleaved `samples` of `source` channels.
fn play(p: &Probe, samples: Vec<f32>, source: usize) -> Result<(), DeviceError> {
    let config = cpal::StreamConfig {
        channels: p.channels,
        sample_rate: cpal::SampleRate(p.rate),
        buffer_size: cpal::BufferSize::Default,
    };
    let done = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(samples);
    let stream = match p.format() {
        cpal::SampleFormat::F32 => build::<f32>(p, &config, samples.clone(), source, done.clone()),
        cpal::SampleFormat::I16 => build::<i16>(p, &config, samples.clone(), source, done.clone()),
        cpal::SampleFormat::I32 => build::<i32>(p, &config, samples.clone(), source, done.clone()),
        cpal::SampleFormat::U16 => build::<u16>(p, &config, samples.clone(), source, done.clone()),
        other => return Err(DeviceError::Format(other.to_string())),
    }?;
    stream.play().map_err(DeviceError::backend)?;
    // The stream's own pace; a device that stops calling ends the wait at
    // the tone's length plus a second.
    let longest =
        Duration::from_secs_f64(samples.len() as f64 / source as f64 / p.rate.max(1) as f64 + 1.0);
    let started = std::time::Instant::now();
    while !done.load(Ordering::Acquire) && started.elapsed() < longest {
        std::thread::sleep(Duration::from_millis(10));
    }
    // Let the device's buffer play out before the stream closes.
    std::thread::sleep(Duration::from_millis(200));
    Ok(())
}

fn build<T: SizedSample + FromSample<f32> + Send + 'static>(
    p: &Probe,
    config: &cpal::StreamConfig,
    samples: Arc<Vec<f32>>,
    source: usize,
    done: Arc<AtomicBool>,
) -> Result<cpal::Stream, DeviceError> {
    let channels = config.channels.max(1) as usize;
    let mut pos = 0usize;
    p.device()
        .build_output_stream(
            config,
            move |out: &mut [T], _| {
                for frame in out.chunks_mut(channels) {
                    for (c, o) in frame.iter_mut().enumerate() {
                        let v = samples.get(pos + c.min(source - 1)).copied();
                        *o = T::from_sample(v.unwrap_or(0.0));
                    }
                    pos = pos.saturating_add(source);
                }
                if pos >= samples.len() {
                    done.store(true, Ordering::Release);
                }
            },
            |_| {},
            None,
        )
        .map_err(DeviceError::backend)
}
