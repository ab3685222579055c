//! Playing a finished buffer through the device once (`termdaw tone`),
//! without the engine.
//!
//! Control thread: [`play_mono`] opens the stream and waits for the end.
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
    let config = cpal::StreamConfig {
        channels: p.channels,
        sample_rate: cpal::SampleRate(p.rate),
        buffer_size: cpal::BufferSize::Default,
    };
    let done = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(samples);
    let stream = match p.format() {
        cpal::SampleFormat::F32 => build::<f32>(p, &config, samples.clone(), done.clone()),
        cpal::SampleFormat::I16 => build::<i16>(p, &config, samples.clone(), done.clone()),
        cpal::SampleFormat::I32 => build::<i32>(p, &config, samples.clone(), done.clone()),
        cpal::SampleFormat::U16 => build::<u16>(p, &config, samples.clone(), done.clone()),
        other => return Err(DeviceError::Format(other.to_string())),
    }?;
    stream.play().map_err(DeviceError::backend)?;
    // The stream's own pace; a device that stops calling ends the wait at
    // the tone's length plus a second.
    let longest = Duration::from_secs_f64(samples.len() as f64 / p.rate.max(1) as f64 + 1.0);
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
    done: Arc<AtomicBool>,
) -> Result<cpal::Stream, DeviceError> {
    let channels = config.channels.max(1) as usize;
    let mut pos = 0usize;
    p.device()
        .build_output_stream(
            config,
            move |out: &mut [T], _| {
                for frame in out.chunks_mut(channels) {
                    let v = samples.get(pos).copied().unwrap_or(0.0);
                    pos = pos.saturating_add(1);
                    frame.fill(T::from_sample(v));
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
