//! Live audio input: the capture device through cpal, feeding the ring the
//! engine reads ([`crate::engine::input`]).
//!
//! Opening runs on the control thread. The cpal capture callback is an
//! audio thread: it converts the device's samples to `f32` (and its rate
//! to the engine's, with the same windowed-sinc kernel as sample loading,
//! when the device cannot run at the engine's) and pushes whole frames
//! into a preallocated ring, never allocating, locking or waiting; frames
//! that do not fit are counted and left out.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{Sample, SizedSample};

use crate::engine::input::{InputRing, MAX_INPUT_CHANNELS};
use crate::sample::resample::Stream;

/// Seconds of input the ring holds.
const RING_SECONDS: f64 = 0.5;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("no default input device")]
    NoDefault,
    #[error("no input device matches \"{0}\" (termdaw devices lists them)")]
    NoMatch(String),
    #[error("unsupported sample format {0}")]
    Format(String),
    #[error("{0}")]
    Backend(String),
}

fn backend(e: impl std::fmt::Display) -> InputError {
    InputError::Backend(e.to_string())
}

/// A running capture stream (it stops when dropped).
pub struct InputStream {
    _stream: cpal::Stream,
    pub name: String,
    pub channels: usize,
    /// Frames the ring had no room for.
    pub dropped: Arc<AtomicU64>,
}

impl InputStream {
    pub fn describe(&self) -> String {
        format!("{} ({} channels)", self.name, self.channels)
    }
}

/// Input devices: (index, name). In a `jack` build the last entry is
/// JACK's own input with the server's state.
pub fn list_inputs() -> Vec<(usize, String)> {
    #[allow(unused_mut)]
    let mut ins: Vec<(usize, String)> = match cpal::default_host().input_devices() {
        Ok(devs) => devs
            .enumerate()
            .map(|(i, d)| (i, d.name().unwrap_or_else(|_| "(unnamed)".into())))
            .collect(),
        Err(_) => Vec::new(),
    };
    #[cfg(feature = "jack")]
    {
        use super::device::JACK_DEVICE;
        let state = match super::device::jack_server() {
            Ok((rate, _)) => format!("JACK server at {rate} Hz; --input {JACK_DEVICE}"),
            Err(e) => e.to_string(),
        };
        ins.push((ins.len(), format!("{JACK_DEVICE} ({state})")));
    }
    ins
}

/// The device `want` names (a name's part or an index; `jack` in a `jack`
/// build: a JACK client `termdaw_in` whose ports cpal connects to the
/// system capture ports), or the default input.
fn find(want: Option<&str>) -> Result<cpal::Device, InputError> {
    #[cfg(feature = "jack")]
    if want.is_some_and(|w| w.eq_ignore_ascii_case(super::device::JACK_DEVICE)) {
        // Asked with a client of our own first: cpal's JACK host prints
        // its connection errors to stdout.
        super::device::jack_server().map_err(backend)?;
        return cpal::platform::JackDevice::default_input_device("termdaw", true, false)
            .map(Into::into)
            .map_err(backend);
    }
    let host = cpal::default_host();
    match want {
        None => host.default_input_device().ok_or(InputError::NoDefault),
        Some(want) => {
            let devs = host.input_devices().map_err(backend)?;
            super::device::pick(devs, want).ok_or_else(|| InputError::NoMatch(want.to_string()))
        }
    }
}

/// Control thread: open `want` (a name's part or an index; the default
/// input without it) at the engine's `rate`, `buffer` frames a block.
pub fn open(
    want: Option<&str>,
    rate: u32,
    buffer: u32,
) -> Result<(InputStream, Box<InputRing>), InputError> {
    let device = find(want)?;
    let name = device.name().unwrap_or_else(|_| "(unnamed)".into());
    let default = device.default_input_config().map_err(backend)?;
    let supports_rate = device
        .supported_input_configs()
        .map_err(backend)?
        .any(|c| c.min_sample_rate().0 <= rate && rate <= c.max_sample_rate().0);
    // A device that cannot run at the engine's rate runs at its own, and
    // the capture callback converts.
    let device_rate = if supports_rate {
        rate
    } else {
        default.sample_rate().0
    };
    let device_channels = default.channels().max(1) as usize;
    let channels = device_channels.min(MAX_INPUT_CHANNELS);
    // The engine's block first; many routes take only their own (JACK's
    // period, for one), so then the device's.
    let mut last = None;
    for size in [cpal::BufferSize::Fixed(buffer), cpal::BufferSize::Default] {
        let config = cpal::StreamConfig {
            channels: device_channels as u16,
            sample_rate: cpal::SampleRate(device_rate),
            buffer_size: size,
        };
        let (tx, rx) = rtrb::RingBuffer::new((rate as f64 * RING_SECONDS) as usize * channels);
        let dropped = Arc::new(AtomicU64::new(0));
        let feed = Feed {
            tx,
            device_channels,
            channels,
            dropped: dropped.clone(),
            largest: 0,
            block: Arc::new(AtomicU64::new(0)),
            convert: (device_rate != rate).then(|| Convert {
                stream: Stream::new(channels, device_rate as f64, rate as f64, MAX_DEVICE_BLOCK),
                scratch: vec![0.0; MAX_DEVICE_BLOCK * channels].into_boxed_slice(),
                ratio: rate as f64 / device_rate as f64,
            }),
        };
        let block = feed.block.clone();
        let built = match default.sample_format() {
            cpal::SampleFormat::F32 => build::<f32>(&device, &config, feed),
            cpal::SampleFormat::I16 => build::<i16>(&device, &config, feed),
            cpal::SampleFormat::I32 => build::<i32>(&device, &config, feed),
            cpal::SampleFormat::U16 => build::<u16>(&device, &config, feed),
            other => return Err(InputError::Format(other.to_string())),
        };
        let stream = match built.and_then(|s| s.play().map(|_| s).map_err(backend)) {
            Ok(s) => s,
            Err(e) => {
                last = Some(e);
                continue;
            }
        };
        let ring = Box::new(InputRing {
            rx,
            channels,
            prime: 2 * buffer as usize,
            exact: false,
            block,
        });
        return Ok((
            InputStream {
                _stream: stream,
                name: if device_rate == rate {
                    name
                } else {
                    format!("{name} at {device_rate} Hz, converted to {rate} Hz")
                },
                channels,
                dropped,
            },
            ring,
        ));
    }
    Err(last.unwrap_or(InputError::NoDefault))
}

/// The capture callback's end of the ring.
struct Feed {
    tx: rtrb::Producer<f32>,
    device_channels: usize,
    channels: usize,
    dropped: Arc<AtomicU64>,
    /// The largest block the device delivered, for the engine's cushion.
    largest: u64,
    block: Arc<AtomicU64>,
    /// Rate conversion, when the device runs at another rate.
    convert: Option<Convert>,
}

/// Longest device block converted in one go (longer ones in parts).
const MAX_DEVICE_BLOCK: usize = 8192;

struct Convert {
    stream: Stream,
    /// The device's frames as `f32`, the channels kept.
    scratch: Box<[f32]>,
    /// Engine frames per device frame.
    ratio: f64,
}

impl Feed {
    /// Audio thread (the capture callback): whole frames into the ring.
    fn push<T: Sample>(&mut self, data: &[T])
    where
        f32: cpal::FromSample<T>,
    {
        let frames = data.len() / self.device_channels.max(1);
        if frames as u64 > self.largest {
            self.largest = frames as u64;
            self.block.store(self.largest, Ordering::Relaxed);
        }
        if self.convert.is_some() {
            self.push_converted(data);
            return;
        }
        let room = self.tx.slots() / self.channels.max(1);
        let take = frames.min(room);
        if take < frames {
            self.dropped
                .fetch_add((frames - take) as u64, Ordering::Relaxed);
        }
        let Ok(chunk) = self.tx.write_chunk_uninit(take * self.channels) else {
            return;
        };
        let (dc, c) = (self.device_channels.max(1), self.channels);
        let values = data
            .chunks_exact(dc)
            .take(take)
            .flat_map(|f| f.iter().take(c).map(|s| f32::from_sample(*s)));
        chunk.fill_from_iter(values);
    }
}

impl Feed {
    /// Audio thread: a device block at another rate, converted, in whole
    /// frames (a block with no room for all it makes is left out, counted).
    fn push_converted<T: Sample>(&mut self, data: &[T])
    where
        f32: cpal::FromSample<T>,
    {
        let (dc, c) = (self.device_channels.max(1), self.channels.max(1));
        let Some(cv) = self.convert.as_mut() else {
            return;
        };
        for part in data.chunks(MAX_DEVICE_BLOCK * dc) {
            let frames = part.len() / dc;
            let want = (frames as f64 * cv.ratio).ceil() as usize + 2;
            if self.tx.slots() / c < want {
                self.dropped.fetch_add(frames as u64, Ordering::Relaxed);
                continue;
            }
            let values = part
                .chunks_exact(dc)
                .flat_map(|f| f.iter().take(c).map(|s| f32::from_sample(*s)));
            for (d, v) in cv.scratch.iter_mut().zip(values) {
                *d = v;
            }
            let n = (frames * c).min(cv.scratch.len());
            let tx = &mut self.tx;
            cv.stream
                .process(cv.scratch.get(..n).unwrap_or_default(), |v| {
                    let _ = tx.push(v);
                });
        }
    }
}

fn build<T: SizedSample + Send + 'static>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut feed: Feed,
) -> Result<cpal::Stream, InputError>
where
    f32: cpal::FromSample<T>,
{
    device
        .build_input_stream(config, move |data: &[T], _| feed.push(data), |_| {}, None)
        .map_err(backend)
}
