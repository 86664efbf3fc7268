//! Text encodings of CSV exports: detection and a streaming decoder to UTF-8.
//!
//! Detection: a BOM decides (UTF-8, UTF-16LE/BE); otherwise the bytes are tried as strict UTF-8 and,
//! failing that, read as GB18030 (a superset of GBK and GB2312, what Chinese Excel writes).

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

use crate::sheet::TextEncoding;

/// How many bytes [`sniff`] looks at when it cannot see the whole input.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;

/// The encoding of text whose first bytes are `prefix`. `complete` says whether `prefix` is the whole
/// input (then a UTF-8 sequence cut at the end is an error; otherwise it is allowed).
pub(crate) fn sniff(prefix: &[u8], complete: bool) -> TextEncoding {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8Bom;
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return TextEncoding::Utf16Le;
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return TextEncoding::Utf16Be;
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => TextEncoding::Utf8,
        Err(e) if e.error_len().is_none() && !complete => TextEncoding::Utf8,
        Err(_) => TextEncoding::Gb18030,
    }
}

/// Whether everything `reader` yields is valid UTF-8, reading it in chunks (memory stays flat).
pub(crate) fn is_utf8_stream<R: Read>(mut reader: R) -> io::Result<bool> {
    let mut buf = vec![0u8; SNIFF_LEN];
    let mut carry = 0usize;
    loop {
        let n = read_some(&mut reader, &mut buf[carry..])?;
        let filled = carry + n;
        if n == 0 {
            return Ok(carry == 0);
        }
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

fn read_some<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Reads up to [`SNIFF_LEN`] bytes (fewer only at the end of the input).
pub(crate) fn read_prefix<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut prefix = vec![0u8; SNIFF_LEN];
    let mut filled = 0;
    while filled < prefix.len() {
        let n = read_some(reader, &mut prefix[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    prefix.truncate(filled);
    Ok(prefix)
}

fn encoding_of(enc: TextEncoding) -> &'static Encoding {
    match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
        TextEncoding::Utf16Le => UTF_16LE,
        TextEncoding::Utf16Be => UTF_16BE,
        TextEncoding::Gb18030 => GB18030,
    }
}

/// A reader that yields UTF-8 from `inner` in the given encoding (BOM removed; malformed sequences
/// become U+FFFD). Holds a few KiB, whatever the size of the input.
pub(crate) struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    output: Vec<u8>,
    out_pos: usize,
    finished: bool,
}

impl<R: Read> DecodingReader<R> {
    pub(crate) fn new(inner: R, enc: TextEncoding) -> DecodingReader<R> {
        DecodingReader {
            inner,
            decoder: encoding_of(enc).new_decoder_with_bom_removal(),
            input: vec![0u8; 16 * 1024],
            output: Vec::new(),
            out_pos: 0,
            finished: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        let n = read_some(&mut self.inner, &mut self.input)?;
        let last = n == 0;
        let needed = self.decoder.max_utf8_buffer_length(n).unwrap_or(n.saturating_mul(3) + 16).max(16);
        self.output.clear();
        self.output.resize(needed, 0);
        self.out_pos = 0;
        let mut read_total = 0;
        let mut written_total = 0;
        loop {
            let (result, read, written, _) =
                self.decoder.decode_to_utf8(&self.input[read_total..n], &mut self.output[written_total..], last);
            read_total += read;
            written_total += written;
            match result {
                encoding_rs::CoderResult::InputEmpty => break,
                encoding_rs::CoderResult::OutputFull => {
                    let more = self.output.len() + 64;
                    self.output.resize(more, 0);
                }
            }
        }
        self.output.truncate(written_total);
        if last {
            self.finished = true;
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.out_pos >= self.output.len() {
            if self.finished {
                return Ok(0);
            }
            self.refill()?;
        }
        let available = &self.output[self.out_pos..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], enc: TextEncoding) -> String {
        let mut out = String::new();
        let mut r = DecodingReader::new(bytes, enc);
        let _ = r.read_to_string(&mut out);
        out
    }

    #[test]
    fn detects_boms_utf8_and_gbk() {
        assert_eq!(sniff(b"\xEF\xBB\xBFabc", true), TextEncoding::Utf8Bom);
        assert_eq!(sniff("订单编号".as_bytes(), true), TextEncoding::Utf8);
        let (gbk, _, _) = encoding_rs::GBK.encode("订单编号,买家会员名");
        assert_eq!(sniff(&gbk, true), TextEncoding::Gb18030);
        assert_eq!(sniff(b"\xFF\xFEa\x00", true), TextEncoding::Utf16Le);
        // A UTF-8 sequence cut by the sniff window is still UTF-8; at the real end it is not.
        let cut = &"订".as_bytes()[..2];
        assert_eq!(sniff(cut, false), TextEncoding::Utf8);
        assert_eq!(sniff(cut, true), TextEncoding::Gb18030);
    }

    #[test]
    fn decodes_across_chunk_boundaries() {
        let text = "订单编号,买家会员名\n".repeat(5000);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        assert_eq!(decode_all(&gbk, TextEncoding::Gb18030), text);
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode_all(&with_bom, TextEncoding::Utf8Bom), text);
    }

    #[test]
    fn validates_utf8_in_chunks() {
        let text = "交易成功,".repeat(30_000);
        assert!(is_utf8_stream(text.as_bytes()).unwrap_or(false));
        let mut bad = text.into_bytes();
        bad.push(0xFF);
        assert!(!is_utf8_stream(&bad[..]).unwrap_or(true));
        assert!(!is_utf8_stream(&"订".as_bytes()[..2]).unwrap_or(true));
    }
}
