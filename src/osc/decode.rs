//! One datagram to the requests it carries: rosc's decoding, bundles
//! followed to [`MAX_NESTING`] deep, timetags turned into clock times with
//! checked arithmetic, and each message translated by [`address`].
//!
//! Pure, any thread (the OSC server thread runs it). Any bytes give a list
//! of results or an error: never a panic, and never more than
//! [`MAX_MESSAGES`] results, so a datagram cannot grow what the control
//! loop is handed.

use std::time::{Duration, SystemTime};

use rosc::{OscBundle, OscPacket};

use super::address::{self, AddressError, Request};

/// Deepest bundle nesting followed.
pub const MAX_NESTING: usize = 8;
/// Most messages one datagram may carry.
pub const MAX_MESSAGES: usize = 256;

/// One message of a datagram: what it asks for (or why it is not
/// understood), and when, if a bundle gave it a time.
#[derive(Debug)]
pub struct Decoded {
    pub request: Result<Request, AddressError>,
    pub at: Option<SystemTime>,
}

/// Why a datagram was dropped whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not an OSC packet: {0}")]
    Malformed(String),
    #[error("bundles nested deeper than {MAX_NESTING}")]
    TooDeep,
    #[error("more than {MAX_MESSAGES} messages in one datagram")]
    TooMany,
}

/// Decode one datagram.
pub fn decode(bytes: &[u8]) -> Result<Vec<Decoded>, DecodeError> {
    // rosc follows nested bundles without a limit of its own; the
    // datagram's bound (8 KB, 20 bytes a level at least) keeps that to a
    // few hundred small frames, and [`MAX_NESTING`] applies after.
    let (_, packet) = rosc::decoder::decode_udp(bytes)
        .map_err(|e| DecodeError::Malformed(crate::quote::clip(&format!("{e:?}"), 120)))?;
    let mut out = Vec::new();
    walk(packet, None, 0, &mut out)?;
    Ok(out)
}

fn walk(
    packet: OscPacket,
    at: Option<SystemTime>,
    depth: usize,
    out: &mut Vec<Decoded>,
) -> Result<(), DecodeError> {
    match packet {
        OscPacket::Message(m) => {
            if out.len() >= MAX_MESSAGES {
                return Err(DecodeError::TooMany);
            }
            out.push(Decoded {
                request: address::request(&m),
                at,
            });
        }
        OscPacket::Bundle(OscBundle { timetag, content }) => {
            if depth >= MAX_NESTING {
                return Err(DecodeError::TooDeep);
            }
            // Timetag 1 means "immediately".
            let t = if timetag.seconds == 0 && timetag.fractional <= 1 {
                at
            } else {
                // A time before 1970 (or beyond what the clock holds) is
                // simply late: it plays at once, as a past timetag does.
                time_of(timetag).or(at)
            };
            for p in content {
                walk(p, t, depth + 1, out)?;
            }
        }
    }
    Ok(())
}

/// An OSC timetag (seconds since 1900, 2^-32 fractions) as a clock time,
/// or None where the clock cannot hold it (rosc's own conversion panics on
/// a time before 1970).
fn time_of(t: rosc::OscTime) -> Option<SystemTime> {
    const SINCE_1900: u64 = 2_208_988_800;
    let nanos = ((u64::from(t.fractional) * 1_000_000_000) >> 32) as u32;
    let since_1970 =
        Duration::new(u64::from(t.seconds), nanos).checked_sub(Duration::from_secs(SINCE_1900))?;
    std::time::UNIX_EPOCH.checked_add(since_1970)
}
