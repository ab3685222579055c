//! Live output: the sound card through cpal, or a silent sink paced in real
//! time when no device can be opened (so the transport and meters behave the
//! same on a machine without sound).
//!
//! Probing, negotiating a buffer and building the stream run on the
//! control thread (the running output and its care are `output.rs`). The
//! cpal callback and the silent sink's thread are the audio thread: they
//! only call
//! `Engine::process` (through [`super::Guard`]: no allocation in debug
//! builds, a panic becomes counted silence) and convert samples, and
//! measure their own load.

use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SizedSample};

use super::Interleaver;
use crate::engine::{Counters, Engine};

/// Why no output device could be used (the app then runs silent).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeviceError {
    #[error("no default output device")]
    NoDefault,
    #[error("no output device matches \"{0}\"")]
    NoMatch(String),
    #[error("unsupported sample format {0}")]
    Format(String),
    #[error("no JACK server is running")]
    NoJack,
    #[error(
        "the JACK server runs at {server} Hz, not {want} Hz (leave out --rate, or restart JACK)"
    )]
    JackRate { server: u32, want: u32 },
    /// What the audio backend (cpal) said.
    #[error("{0}")]
    Backend(String),
}

impl DeviceError {
    pub(super) fn backend(e: impl std::fmt::Display) -> Self {
        Self::Backend(e.to_string())
    }
}

/// What the musician asked for.
#[derive(Debug, Clone, Default)]
pub struct DeviceOptions {
    /// Output device by name (substring) or index from `termdaw devices`.
    pub device: Option<String>,
    pub rate: Option<u32>,
    /// Frames per buffer (64–2048).
    pub buffer: Option<u32>,
}

pub const DEFAULT_BUFFER: u32 = 256;
pub const DEFAULT_RATE: u32 = 48000;

/// A device that can be opened, with the settings we will use.
pub struct Probe {
    device: cpal::Device,
    pub name: String,
    pub rate: u32,
    pub buffer: u32,
    pub channels: u16,
    format: cpal::SampleFormat,
}

impl Probe {
    pub(super) fn device(&self) -> &cpal::Device {
        &self.device
    }

    pub(super) fn format(&self) -> cpal::SampleFormat {
        self.format
    }
}

/// Where sound is going.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkInfo {
    Device {
        name: String,
        rate: u32,
        buffer: u32,
        /// Why the buffer is not the one asked for, if it is not.
        note: Option<String>,
    },
    Silent {
        reason: String,
        rate: u32,
        buffer: u32,
    },
}

impl SinkInfo {
    pub fn rate(&self) -> u32 {
        match self {
            SinkInfo::Device { rate, .. } | SinkInfo::Silent { rate, .. } => *rate,
        }
    }

    pub fn buffer(&self) -> u32 {
        match self {
            SinkInfo::Device { buffer, .. } | SinkInfo::Silent { buffer, .. } => *buffer,
        }
    }

    /// One line for the transport bar or the terminal.
    pub fn describe(&self) -> String {
        match self {
            SinkInfo::Device {
                name,
                rate,
                buffer,
                note,
            } => {
                let note = note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                if *buffer == 0 {
                    format!("{name} · {rate} Hz · the device's own buffer{note}")
                } else {
                    format!(
                        "{name} · {rate} Hz · {buffer} frames ({:.1} ms){note}",
                        *buffer as f64 * 1000.0 / *rate as f64
                    )
                }
            }
            SinkInfo::Silent { reason, rate, .. } => {
                format!("no audio device ({reason}), running silent at {rate} Hz")
            }
        }
    }
}

/// The device name that picks JACK's own output (`--device`) and input
/// (`--input`) in a `jack` build.
pub const JACK_DEVICE: &str = "jack";

/// List output devices: (index, name). In a `jack` build the last entry is
/// [`JACK_DEVICE`] with the server's state.
pub fn list_outputs() -> Vec<(usize, String)> {
    #[allow(unused_mut)]
    let mut outs = list_default_host();
    #[cfg(feature = "jack")]
    outs.push((
        outs.len(),
        match jack_server() {
            Ok((rate, period)) => format!(
                "{JACK_DEVICE} (JACK server at {rate} Hz, {period} frames; --device {JACK_DEVICE})"
            ),
            Err(e) => format!("{JACK_DEVICE} ({e})"),
        },
    ));
    outs
}

fn list_default_host() -> Vec<(usize, String)> {
    let host = cpal::default_host();
    match host.output_devices() {
        Ok(devs) => devs
            .enumerate()
            .map(|(i, d)| (i, d.name().unwrap_or_else(|_| "(unnamed)".into())))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The device `want` names: an index in the list, or a part of a name.
pub(super) fn pick(devs: impl Iterator<Item = cpal::Device>, want: &str) -> Option<cpal::Device> {
    let devs: Vec<cpal::Device> = devs.collect();
    let by_index = want
        .parse::<usize>()
        .ok()
        .and_then(|i| devs.get(i).cloned());
    by_index.or_else(|| {
        devs.into_iter()
            .find(|d| d.name().map(|n| n.contains(want)).unwrap_or(false))
    })
}

/// Control thread: find and check the output device.
pub fn probe(opts: &DeviceOptions) -> Result<Probe, DeviceError> {
    #[cfg(feature = "jack")]
    if opts
        .device
        .as_deref()
        .is_some_and(|d| d.eq_ignore_ascii_case(JACK_DEVICE))
    {
        return probe_jack(opts);
    }
    let host = cpal::default_host();
    let device = match &opts.device {
        None => host.default_output_device().ok_or(DeviceError::NoDefault)?,
        Some(want) => {
            let devs = host.output_devices().map_err(DeviceError::backend)?;
            pick(devs, want).ok_or_else(|| DeviceError::NoMatch(want.clone()))?
        }
    };
    let name = device.name().unwrap_or_else(|_| "(unnamed)".into());
    let default = device
        .default_output_config()
        .map_err(DeviceError::backend)?;
    let rate = opts.rate.unwrap_or(default.sample_rate().0);
    let buffer = opts.buffer.unwrap_or(DEFAULT_BUFFER).clamp(64, 2048);
    Ok(Probe {
        device,
        name,
        rate,
        buffer,
        channels: default.channels().max(1),
        format: default.sample_format(),
    })
}

/// The running JACK server's rate and period, or why there is none. Asks
/// with a client of our own first: cpal's JACK host prints its connection
/// errors to stdout, which would land on the screen.
#[cfg(feature = "jack")]
pub(super) fn jack_server() -> Result<(u32, u32), DeviceError> {
    match jack::Client::new("termdaw_probe", jack::ClientOptions::NO_START_SERVER) {
        Ok((c, _)) => Ok((c.sample_rate(), c.buffer_size())),
        Err(_) => Err(DeviceError::NoJack),
    }
}

/// JACK's own output: a client `termdaw_out` whose ports cpal connects to
/// the system playback ports. JACK sets rate and period, so `--rate` must
/// agree and `--buffer` is the server's business.
#[cfg(feature = "jack")]
fn probe_jack(opts: &DeviceOptions) -> Result<Probe, DeviceError> {
    let (rate, period) = jack_server()?;
    if let Some(want) = opts.rate.filter(|r| *r != rate) {
        return Err(DeviceError::JackRate { server: rate, want });
    }
    // Not through cpal's JACK host: it opens clients of its own names first.
    let device: cpal::Device =
        cpal::platform::JackDevice::default_output_device("termdaw", true, false)
            .map_err(DeviceError::backend)?
            .into();
    let name = format!("JACK {}", device.name().unwrap_or_default());
    let config = device
        .default_output_config()
        .map_err(DeviceError::backend)?;
    Ok(Probe {
        device,
        name,
        rate,
        buffer: period,
        channels: 2,
        format: config.sample_format(),
    })
}

/// What a stream's callbacks share with the control side: the engine's
/// home between callbacks, the counters, and the flag the error callback
/// raises when the device is gone.
#[derive(Clone)]
pub(super) struct Link {
    pub home: Arc<AtomicPtr<Engine>>,
    pub counters: Arc<Counters>,
    pub lost: Arc<AtomicBool>,
}

/// Open the stream at the buffer asked for, else at the nearest one the
/// device takes: the sizes its configurations allow, then powers of two up
/// to 4096 (nearest first, larger before smaller), then its own default.
/// Returns the stream, the buffer (0 for the device's own) and why it is
/// not the one asked for. The engine stays in the link's home between
/// callbacks, so a refused size leaves it there for the next try.
pub(super) fn negotiate(
    p: &Probe,
    link: &Link,
) -> Result<(cpal::Stream, u32, Option<String>), DeviceError> {
    let asked = p.buffer;
    let first = match start_stream(p, cpal::BufferSize::Fixed(asked), link) {
        Ok(s) => return Ok((s, asked, None)),
        Err(e) => e,
    };
    let range = supported_range(p);
    let mut tries: Vec<(u32, &str)> = Vec::new();
    if let Some((min, max)) = range {
        let near = asked.clamp(min, max);
        let why = if asked < min {
            "the device's minimum"
        } else {
            "the device's maximum"
        };
        if near != asked {
            tries.push((near, why));
        }
    }
    let mut powers: Vec<u32> = (6..=12)
        .map(|k| 1u32 << k)
        .filter(|b| *b != asked)
        .collect();
    powers.sort_by_key(|b| (b.abs_diff(asked), *b < asked));
    tries.extend(powers.into_iter().map(|b| (b, "the nearest size it takes")));
    for (buffer, why) in tries {
        if range.is_some_and(|(min, max)| buffer < min || buffer > max) {
            continue;
        }
        if let Ok(s) = start_stream(p, cpal::BufferSize::Fixed(buffer), link) {
            return Ok((s, buffer, Some(format!("asked {asked}: {why}"))));
        }
    }
    match start_stream(p, cpal::BufferSize::Default, link) {
        Ok(s) => Ok((s, 0, Some(format!("asked {asked}: refused ({first})")))),
        Err(_) => Err(first),
    }
}

/// The buffer sizes the device's configuration for our rate, channels and
/// format allows, when it says.
fn supported_range(p: &Probe) -> Option<(u32, u32)> {
    let configs = p.device.supported_output_configs().ok()?;
    configs
        .filter(|c| {
            c.channels() == p.channels
                && c.sample_format() == p.format
                && c.min_sample_rate().0 <= p.rate
                && p.rate <= c.max_sample_rate().0
        })
        .find_map(|c| match c.buffer_size() {
            cpal::SupportedBufferSize::Range { min, max } => Some((*min, *max)),
            cpal::SupportedBufferSize::Unknown => None,
        })
}

fn start_stream(
    p: &Probe,
    buffer_size: cpal::BufferSize,
    link: &Link,
) -> Result<cpal::Stream, DeviceError> {
    let config = cpal::StreamConfig {
        channels: p.channels,
        sample_rate: cpal::SampleRate(p.rate),
        buffer_size,
    };
    let stream = match p.format {
        cpal::SampleFormat::F32 => build::<f32>(&p.device, &config, link.clone()),
        cpal::SampleFormat::I16 => build::<i16>(&p.device, &config, link.clone()),
        cpal::SampleFormat::I32 => build::<i32>(&p.device, &config, link.clone()),
        cpal::SampleFormat::U16 => build::<u16>(&p.device, &config, link.clone()),
        other => return Err(DeviceError::Format(other.to_string())),
    }?;
    stream.play().map_err(DeviceError::backend)?;
    Ok(stream)
}

fn build<T: SizedSample + FromSample<f32> + Send + 'static>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    link: Link,
) -> Result<cpal::Stream, DeviceError> {
    let channels = config.channels as usize;
    let rate = config.sample_rate.0 as f64;
    let mut inter = Interleaver::default();
    let Link {
        home,
        counters,
        lost,
    } = link;
    let err_counters = counters.clone();
    device
        .build_output_stream(
            config,
            move |out: &mut [T], _| {
                // Audio thread. The engine is borrowed from its home for
                // the callback and put back after, so the control side can
                // take it back once this stream is dropped.
                let started = Instant::now();
                Counters::bump(&counters.callbacks, 1);
                let p = home.swap(std::ptr::null_mut(), Ordering::AcqRel);
                // SAFETY: the control side only takes the engine out of
                // `home` with no callback running (before the first or after
                // the stream is dropped) and frees it only then.
                match unsafe { p.as_mut() } {
                    Some(e) => inter.fill(e, out, channels, T::from_sample),
                    None => out.fill(T::from_sample(0.0)),
                }
                if !p.is_null() {
                    home.store(p, Ordering::Release);
                }
                let took = started.elapsed();
                let budget = (out.len() / channels.max(1)) as f64 / rate;
                // No panic here: a zero rate would make the budget infinite.
                let limit = Duration::try_from_secs_f64(budget).unwrap_or(Duration::MAX);
                counters.callback_times.record(took, limit);
                let load = took.as_secs_f64() / budget.max(1e-9);
                counters
                    .load_permille
                    .store((load * 1000.0) as u64, Ordering::Relaxed);
            },
            move |err| {
                Counters::bump(&err_counters.xruns, 1);
                if matches!(err, cpal::StreamError::DeviceNotAvailable) {
                    lost.store(true, Ordering::Release);
                }
            },
            None,
        )
        .map_err(DeviceError::backend)
}

pub use super::output::{start, Output};
