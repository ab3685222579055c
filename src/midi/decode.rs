//! MIDI bytes to messages: running status, note-on with velocity 0 as
//! note-off, system exclusive skipped, real-time bytes (clock, start, stop)
//! passed through even in the middle of another message.
//!
//! Pure; runs on the MIDI input thread. Never allocates or panics.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MidiMsg {
    NoteOn {
        channel: u8,
        note: u8,
        velocity: u8,
    },
    NoteOff {
        channel: u8,
        note: u8,
    },
    Cc {
        channel: u8,
        cc: u8,
        value: u8,
    },
    /// -8192 ..= 8191, 0 = centre.
    PitchBend {
        channel: u8,
        value: i16,
    },
    Program {
        channel: u8,
        program: u8,
    },
    Clock,
    Start,
    Continue,
    Stop,
    /// Song Position Pointer: where Continue starts, in sixteenth notes.
    SongPosition(u16),
}

/// A byte-stream decoder (one per device).
#[derive(Debug, Default, Clone)]
pub struct Decoder {
    status: u8,
    data: [u8; 2],
    have: usize,
    in_sysex: bool,
}

fn data_len(status: u8) -> usize {
    match status & 0xF0 {
        0xC0 | 0xD0 => 1,
        0x80..=0xE0 => 2,
        _ => match status {
            0xF1 | 0xF3 => 1,
            0xF2 => 2,
            _ => 0,
        },
    }
}

impl Decoder {
    /// Feed one byte; returns a message when one completes.
    pub fn feed(&mut self, byte: u8) -> Option<MidiMsg> {
        if byte >= 0xF8 {
            // Real-time: may appear anywhere, changes nothing else.
            return match byte {
                0xF8 => Some(MidiMsg::Clock),
                0xFA => Some(MidiMsg::Start),
                0xFB => Some(MidiMsg::Continue),
                0xFC => Some(MidiMsg::Stop),
                _ => None,
            };
        }
        if byte & 0x80 != 0 {
            self.have = 0;
            match byte {
                0xF0 => {
                    self.in_sysex = true;
                    self.status = 0;
                }
                0xF7 => {
                    self.in_sysex = false;
                    self.status = 0;
                }
                0xF1..=0xF6 => {
                    // System common: clears running status; its data is skipped.
                    self.in_sysex = false;
                    self.status = byte;
                }
                _ => {
                    self.in_sysex = false;
                    self.status = byte;
                }
            }
            if self.status != 0 && data_len(self.status) == 0 {
                self.status = 0;
            }
            return None;
        }
        if self.in_sysex || self.status == 0 {
            return None;
        }
        self.data[self.have] = byte;
        self.have += 1;
        if self.have < data_len(self.status) {
            return None;
        }
        self.have = 0;
        let status = self.status;
        if status >= 0xF0 {
            // System common: complete; no running status. Only the song
            // position is used.
            self.status = 0;
            let [a, b] = self.data;
            return (status == 0xF2).then_some(MidiMsg::SongPosition(a as u16 | (b as u16) << 7));
        }
        let channel = status & 0x0F;
        let [a, b] = self.data;
        Some(match status & 0xF0 {
            0x90 if b > 0 => MidiMsg::NoteOn {
                channel,
                note: a,
                velocity: b,
            },
            0x90 | 0x80 => MidiMsg::NoteOff { channel, note: a },
            0xB0 => MidiMsg::Cc {
                channel,
                cc: a,
                value: b,
            },
            0xE0 => MidiMsg::PitchBend {
                channel,
                value: ((b as i16) << 7 | a as i16) - 8192,
            },
            0xC0 => MidiMsg::Program {
                channel,
                program: a,
            },
            _ => return None,
        })
    }

    /// Feed a whole buffer, calling `f` for each message.
    pub fn feed_all(&mut self, bytes: &[u8], mut f: impl FnMut(MidiMsg)) {
        for &b in bytes {
            if let Some(m) = self.feed(b) {
                f(m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &[u8]) -> Vec<MidiMsg> {
        let mut d = Decoder::default();
        let mut v = Vec::new();
        d.feed_all(bytes, |m| v.push(m));
        v
    }

    #[test]
    fn running_status_and_velocity_zero() {
        assert_eq!(
            all(&[0x91, 60, 100, 64, 90, 60, 0]),
            vec![
                MidiMsg::NoteOn {
                    channel: 1,
                    note: 60,
                    velocity: 100
                },
                MidiMsg::NoteOn {
                    channel: 1,
                    note: 64,
                    velocity: 90
                },
                MidiMsg::NoteOff {
                    channel: 1,
                    note: 60
                },
            ]
        );
        assert_eq!(
            all(&[0x80, 60, 10]),
            vec![MidiMsg::NoteOff {
                channel: 0,
                note: 60
            }]
        );
    }

    #[test]
    fn sysex_is_skipped_and_realtime_passes_through() {
        assert_eq!(
            all(&[0xF0, 0x7E, 0x90, 60, 0xF7, 0xB0, 74, 0xF8, 100]),
            vec![
                MidiMsg::Clock,
                MidiMsg::Cc {
                    channel: 0,
                    cc: 74,
                    value: 100
                }
            ],
            "sysex data (even note-like) ignored; clock inside a CC"
        );
        assert_eq!(
            all(&[0xFA, 0xFC, 0xFB]),
            vec![MidiMsg::Start, MidiMsg::Stop, MidiMsg::Continue]
        );
    }

    #[test]
    fn pitch_bend_is_centred_and_signed() {
        assert_eq!(
            all(&[0xE0, 0, 64]),
            vec![MidiMsg::PitchBend {
                channel: 0,
                value: 0
            }]
        );
        assert_eq!(
            all(&[0xE0, 0, 0]),
            vec![MidiMsg::PitchBend {
                channel: 0,
                value: -8192
            }]
        );
        assert_eq!(
            all(&[0xE0, 127, 127]),
            vec![MidiMsg::PitchBend {
                channel: 0,
                value: 8191
            }]
        );
    }

    #[test]
    fn stray_data_and_system_common_do_not_invent_messages() {
        // The song position (LSB, MSB) and nothing after it: system
        // common leaves no running status.
        assert_eq!(
            all(&[60, 100, 0xF2, 1, 2, 3, 4]),
            vec![MidiMsg::SongPosition(1 + (2 << 7))]
        );
        assert_eq!(all(&[0xF3, 5, 6]), vec![]);
        assert_eq!(
            all(&[0xC3, 5, 6]),
            vec![
                MidiMsg::Program {
                    channel: 3,
                    program: 5
                },
                MidiMsg::Program {
                    channel: 3,
                    program: 6
                },
            ]
        );
        // Garbage never panics.
        let mut d = Decoder::default();
        for i in 0..10_000u32 {
            let _ = d.feed((i.wrapping_mul(2_654_435_761) >> 13) as u8);
        }
    }
}
