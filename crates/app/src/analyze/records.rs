//! A zero-copy RFC 4180 record reader for the analyze CSV files.
//!
//! Why not `csv::Reader`: it copies every field into a `ByteRecord` through a general state
//! machine, which was half of the CPU time of reading 7.7 million ratings. Almost every
//! record here is one line without quotes, so this reader finds the line end, splits it on
//! commas (eight bytes at a time: a word's commas, line ends and quotes are found with a few
//! integer operations) and hands out slices of its own buffer — and when asked
//! ([`Records::remember_lead`]), a record whose leading fields repeat the previous record's
//! bytes is split only after them. Only a record that contains a quote goes
//! through the full state machine (quoted fields, `""` escapes, line breaks inside quotes),
//! copying into a scratch buffer. It accepts what the csv crate accepts — `\n` or `\r\n`
//! line ends, blank lines skipped, a quote inside an unquoted field taken literally, text
//! after a closing quote appended — and a unit test checks it against the csv crate on
//! generated inputs.
//!
//! [`Records::ended_inside_quotes`] tells a caller that read only a prefix of a file (to
//! parse the rest in parallel) whether the prefix ended on a record boundary.

use std::io::{self, Read};

/// One record: its fields and the physical line it starts on (the first line is 1).
#[derive(Debug)]
pub(crate) struct Record<'a> {
    data: &'a [u8],
    bounds: &'a [(u32, u32)],
    /// The record's first line.
    pub line: u64,
    /// True when the record had quotes: its data are the unescaped fields, without commas.
    pub quoted: bool,
    /// True when the first fields (as many as [`Records::remember_lead`] asked for) are byte
    /// for byte those of the record before (both without quotes).
    pub same_lead: bool,
}

impl<'a> Record<'a> {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Field `i`'s bytes.
    pub fn field(&self, i: usize) -> &'a [u8] {
        let (a, b) = self.bounds[i];
        &self.data[a as usize..b as usize]
    }

    /// The bytes the fields are slices of, and each field's range in it: one UTF-8 check of
    /// `data` then covers every field (unless a range splits a character).
    pub fn parts(&self) -> (&'a [u8], &'a [(u32, u32)]) {
        (self.data, self.bounds)
    }
}

/// The bytes of `w` that are `,`, LF, CR or `"`: the high bit of each such byte set, of no
/// other (exact: no carry crosses a byte).
#[inline]
fn special_bytes(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    #[inline]
    fn zero_bytes(x: u64) -> u64 {
        !(((x & LOW7) + LOW7) | x | LOW7)
    }
    const ONES: u64 = 0x0101_0101_0101_0101;
    zero_bytes(w ^ (ONES * b',' as u64))
        | zero_bytes(w ^ (ONES * b'\n' as u64))
        | zero_bytes(w ^ (ONES * b'\r' as u64))
        | zero_bytes(w ^ (ONES * b'"' as u64))
}

/// Reads records from `R` into a growing buffer.
#[derive(Debug)]
pub(crate) struct Records<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Line of the next byte at `start`.
    line: u64,
    scratch: Vec<u8>,
    bounds: Vec<(u32, u32)>,
    /// Bytes consumed so far (for progress).
    consumed: u64,
    inside_quotes_at_end: bool,
    /// How many leading fields to remember (0: none).
    lead: usize,
    /// The previous record's leading fields (their bytes, without the comma after them) and
    /// their ranges, when it had that many fields and no quotes.
    prev_lead: Vec<u8>,
    prev_lead_bounds: Vec<(u32, u32)>,
    prev_lead_valid: bool,
}

/// What the slow path found.
enum Slow {
    /// A record of `len` bytes spanning `lines` line breaks; fields in `scratch`/`bounds`.
    Record { len: usize, lines: u64 },
    /// The buffer ends inside the record.
    NeedMore,
}

impl<R: Read> Records<R> {
    /// A reader starting at line 1.
    pub fn new(reader: R) -> Self {
        Self::starting_at(reader, 1)
    }

    /// A reader whose first byte is on `line`.
    pub fn starting_at(reader: R, line: u64) -> Self {
        Self {
            reader,
            buf: vec![0; 1 << 20],
            start: 0,
            end: 0,
            eof: false,
            line,
            scratch: Vec::new(),
            bounds: Vec::with_capacity(16),
            consumed: 0,
            inside_quotes_at_end: false,
            lead: 0,
            prev_lead: Vec::new(),
            prev_lead_bounds: Vec::new(),
            prev_lead_valid: false,
        }
    }

    /// Remembers the first `fields` fields of each record without quotes, so that a record
    /// starting with the same bytes is split only after them ([`Record::same_lead`]): exports
    /// repeat the leading key cells row after row, and those bytes then need no scan.
    pub fn remember_lead(&mut self, fields: usize) {
        self.lead = fields;
        self.prev_lead_valid = false;
    }

    /// Bytes consumed by the records returned so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The line the next record would start on (after the last: one past the last line).
    pub fn next_line(&self) -> u64 {
        self.line
    }

    /// True when the input ended inside a quoted field (the last record was cut short).
    pub fn ended_inside_quotes(&self) -> bool {
        self.inside_quotes_at_end
    }

    /// Moves the unread bytes to the front and reads more; false at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // A record longer than the buffer: grow it.
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next record, or `None` at the end of input.
    pub fn next_record(&mut self) -> io::Result<Option<Record<'_>>> {
        loop {
            // Skip blank lines (the csv crate does too).
            while self.start < self.end && matches!(self.buf[self.start], b'\n' | b'\r') {
                if self.buf[self.start] == b'\n' {
                    self.line += 1;
                }
                self.start += 1;
                self.consumed += 1;
            }
            if self.start == self.end {
                if self.fill()? {
                    continue;
                }
                return Ok(None);
            }
            // Fast path: one line without quotes. A record ends at LF, CR LF or a lone CR
            // (as in the csv crate); only LF counts as a line.
            let hay = &self.buf[self.start..self.end];
            self.bounds.clear();
            let mut field_start = 0usize;
            let mut same_lead = false;
            let known = self.prev_lead.len();
            if self.prev_lead_valid
                && hay.get(known) == Some(&b',')
                && hay[..known] == *self.prev_lead
            {
                // The leading fields repeat those of the record before: take their ranges.
                self.bounds.extend_from_slice(&self.prev_lead_bounds);
                field_start = known + 1;
                same_lead = true;
            }
            let mut quoted = false;
            let mut need_more = false;
            // (end of content, bytes consumed, line breaks consumed)
            let mut term: Option<(usize, usize, u64)> = None;
            // Eight bytes at a time: a mask of the bytes that matter (`,` LF CR `"`), then one
            // step per such byte; most bytes of a record are skipped a word at a time.
            let mut base = field_start;
            'scan: loop {
                let (mut mask, width) = match hay.get(base..base + 8) {
                    Some(w) => (
                        special_bytes(u64::from_le_bytes([
                            w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
                        ])),
                        8,
                    ),
                    None if base < hay.len() => {
                        let mut w = [b'a'; 8];
                        w[..hay.len() - base].copy_from_slice(&hay[base..]);
                        (special_bytes(u64::from_le_bytes(w)), hay.len() - base)
                    }
                    None => break 'scan,
                };
                while mask != 0 {
                    let i = base + (mask.trailing_zeros() / 8) as usize;
                    mask &= mask - 1;
                    match hay[i] {
                        b',' => {
                            self.bounds.push((field_start as u32, i as u32));
                            field_start = i + 1;
                        }
                        b'\n' => {
                            term = Some((i, i + 1, 1));
                            break 'scan;
                        }
                        b'\r' => {
                            match hay.get(i + 1) {
                                Some(b'\n') => term = Some((i, i + 2, 1)),
                                Some(_) => term = Some((i, i + 1, 0)),
                                None if self.eof => term = Some((i, i + 1, 0)),
                                None => need_more = true,
                            }
                            break 'scan;
                        }
                        _ => {
                            quoted = true;
                            break 'scan;
                        }
                    }
                }
                base += width;
            }
            if !quoted {
                let (content_end, consumed, lines) = match term {
                    Some(t) => t,
                    None if self.eof && !need_more => (hay.len(), hay.len(), 0),
                    None => {
                        self.fill()?;
                        continue;
                    }
                };
                self.bounds.push((field_start as u32, content_end as u32));
                let line = self.line;
                let data_start = self.start;
                if self.lead > 0 && !same_lead {
                    self.prev_lead_valid = self.bounds.len() > self.lead;
                    if self.prev_lead_valid {
                        let end = self.bounds[self.lead - 1].1 as usize;
                        self.prev_lead.clear();
                        self.prev_lead
                            .extend_from_slice(&self.buf[data_start..data_start + end]);
                        self.prev_lead_bounds.clear();
                        self.prev_lead_bounds
                            .extend_from_slice(&self.bounds[..self.lead]);
                    }
                }
                self.start += consumed;
                self.consumed += consumed as u64;
                self.line += lines;
                return Ok(Some(Record {
                    data: &self.buf[data_start..data_start + content_end],
                    bounds: &self.bounds,
                    line,
                    quoted: false,
                    same_lead,
                }));
            }
            self.prev_lead_valid = false;
            match self.slow() {
                Slow::Record { len, lines } => {
                    let line = self.line;
                    self.start += len;
                    self.consumed += len as u64;
                    self.line += lines;
                    return Ok(Some(Record {
                        data: &self.scratch,
                        bounds: &self.bounds,
                        line,
                        quoted: true,
                        same_lead: false,
                    }));
                }
                Slow::NeedMore => {
                    if !self.fill()? {
                        // End of input inside the record: what was read is the record, as the
                        // csv crate would take it.
                        if let Slow::Record { len, lines } = self.slow_at_eof() {
                            let line = self.line;
                            self.start += len;
                            self.consumed += len as u64;
                            self.line += lines;
                            return Ok(Some(Record {
                                data: &self.scratch,
                                bounds: &self.bounds,
                                line,
                                quoted: true,
                                same_lead: false,
                            }));
                        }
                        return Ok(None);
                    }
                }
            }
        }
    }

    fn slow_at_eof(&mut self) -> Slow {
        match self.parse_quoted(true) {
            Slow::Record { len, lines } => Slow::Record { len, lines },
            Slow::NeedMore => Slow::NeedMore,
        }
    }

    fn slow(&mut self) -> Slow {
        self.parse_quoted(self.eof)
    }

    /// The full RFC 4180 state machine over the buffered bytes of one record.
    fn parse_quoted(&mut self, at_eof: bool) -> Slow {
        #[derive(Clone, Copy, PartialEq)]
        enum St {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }
        let hay = &self.buf[self.start..self.end];
        self.scratch.clear();
        self.bounds.clear();
        let mut st = St::FieldStart;
        let mut field_start = 0u32;
        let mut lines = 0u64;
        let mut i = 0;
        while i < hay.len() {
            let b = hay[i];
            match (st, b) {
                (St::Quoted, b'"') => st = St::QuoteInQuoted,
                (St::Quoted, _) => {
                    if b == b'\n' {
                        lines += 1;
                    }
                    self.scratch.push(b);
                }
                (St::QuoteInQuoted, b'"') => {
                    self.scratch.push(b'"');
                    st = St::Quoted;
                }
                (St::FieldStart, b'"') => st = St::Quoted,
                (_, b',') => {
                    self.bounds.push((field_start, self.scratch.len() as u32));
                    field_start = self.scratch.len() as u32;
                    st = St::FieldStart;
                }
                (_, b'\n') => {
                    self.bounds.push((field_start, self.scratch.len() as u32));
                    self.inside_quotes_at_end = false;
                    return Slow::Record {
                        len: i + 1,
                        lines: lines + 1,
                    };
                }
                (_, b'\r') => {
                    let (len, more) = match hay.get(i + 1) {
                        Some(b'\n') => (i + 2, 1),
                        Some(_) => (i + 1, 0),
                        None if at_eof => (i + 1, 0),
                        None => return Slow::NeedMore,
                    };
                    self.bounds.push((field_start, self.scratch.len() as u32));
                    self.inside_quotes_at_end = false;
                    return Slow::Record {
                        len,
                        lines: lines + more,
                    };
                }
                // Text after a closing quote, or a quote inside an unquoted field: literal.
                (_, _) => {
                    self.scratch.push(b);
                    st = St::Unquoted;
                }
            }
            i += 1;
        }
        if !at_eof {
            return Slow::NeedMore;
        }
        self.inside_quotes_at_end = st == St::Quoted;
        self.bounds.push((field_start, self.scratch.len() as u32));
        Slow::Record {
            len: hay.len(),
            lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(input: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = Records::new(input);
        // A tiny buffer exercises every refill path.
        r.buf = vec![0; 7];
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push((
                rec.line,
                (0..rec.len()).map(|i| rec.field(i).to_vec()).collect(),
            ));
        }
        out
    }

    fn theirs(input: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let line = rec.position().map_or(0, |p| p.line());
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    #[test]
    fn plain_quoted_and_multi_line_records() {
        let input = b"a,b,c\n1,\"x, y\",3\r\n\n4,\"say \"\"hi\"\"\",\"two\nlines\"\n5,,\n6,7,8";
        let got = ours(input);
        let fields =
            |v: Vec<(u64, Vec<Vec<u8>>)>| v.into_iter().map(|(_, f)| f).collect::<Vec<_>>();
        assert_eq!(fields(got.clone()), fields(theirs(input)));
        assert_eq!(got[2].1[1], b"say \"hi\"");
        // Physical lines, blank lines and quoted line breaks counted (the csv crate reports
        // the line where the previous record ended, 2, for the record on line 4).
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 4, 6, 7]);
    }

    #[test]
    fn agrees_with_the_csv_crate_on_generated_inputs() {
        // A small linear congruential generator: deterministic, no dependency.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let alphabet = [b'a', b'1', b',', b'"', b'\n', b'\r', b' ', 0xC3, 0xA9];
        for _ in 0..3000 {
            let len = next(40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                .collect();
            let fields =
                |v: Vec<(u64, Vec<Vec<u8>>)>| v.into_iter().map(|(_, f)| f).collect::<Vec<_>>();
            let got = ours(&input);
            assert_eq!(
                fields(got.clone()),
                fields(theirs(&input)),
                "input {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }

    #[test]
    fn repeated_leading_fields_are_recognised_and_split_alike() {
        let input: &[u8] =
            b"a,b,1\na,b,2\na,bb,3\na,bb,4,x\n\"a\",bb,5\na,bb,6\na,bb,7\na,b\na,b,8";
        let mut plain = Records::new(input);
        let mut lead = Records::new(input);
        lead.buf = vec![0; 9];
        lead.remember_lead(2);
        let mut same = Vec::new();
        loop {
            let a = plain.next_record().unwrap().map(|r| {
                (
                    r.line,
                    (0..r.len())
                        .map(|i| r.field(i).to_vec())
                        .collect::<Vec<_>>(),
                )
            });
            let b = lead.next_record().unwrap().map(|r| {
                same.push(r.same_lead);
                (
                    r.line,
                    (0..r.len())
                        .map(|i| r.field(i).to_vec())
                        .collect::<Vec<_>>(),
                )
            });
            assert_eq!(a, b);
            if a.is_none() {
                break;
            }
        }
        assert_eq!(
            same,
            [false, true, false, true, false, false, true, false, false]
        );
    }

    #[test]
    fn a_prefix_that_ends_inside_quotes_is_detected() {
        let mut r = Records::new(&b"a,\"open\nstill open"[..]);
        while r.next_record().unwrap().is_some() {}
        assert!(r.ended_inside_quotes());
        let mut r = Records::new(&b"a,\"closed\"\nb\n"[..]);
        while r.next_record().unwrap().is_some() {}
        assert!(!r.ended_inside_quotes());
    }
}
