//! Publishing a built bundle into `target/site/pkg/`: one content hash over the JS, the wasm
//! and the CSS names all three (they change together: the JS is the wasm's glue, and the CSS is
//! generated from the same sources), each file gets a brotli and a gzip copy the hub serves by
//! `Accept-Encoding`, and `target/site/bundle.txt` tells the hub the hashed name. Files of
//! earlier bundles are removed, so `pkg/` holds exactly one.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::site::OUTPUT_NAME;

/// The file naming the current bundle, read by the hub (`server::site`).
pub const BUNDLE_FILE: &str = "bundle.txt";

/// Hex digits of the SHA-256 kept in the names: enough to never collide between builds.
const HASH_DIGITS: usize = 16;

/// A published bundle: its name and, per file, the sizes on disk and compressed.
#[derive(Debug)]
pub struct Published {
    /// `consign.<hash>`.
    pub name: String,
    /// (file name, bytes, brotli bytes, gzip bytes).
    pub files: Vec<(String, usize, usize, usize)>,
}

impl Published {
    /// One line for the build's output.
    pub fn summary(&self) -> String {
        self.files
            .iter()
            .map(|(file, raw, br, gz)| {
                format!(
                    "{file} {} KB (br {} KB, gz {} KB)",
                    raw / 1024,
                    br / 1024,
                    gz / 1024
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Moves the unhashed `consign.js`, `consign_bg.wasm` and `consign.css` of `staging` into
/// `<site>/pkg` under hashed names with their compressed copies, then writes
/// `<site>/bundle.txt`. `best` compresses as hard as brotli and gzip can (release builds);
/// otherwise quicker levels keep the dev loop short.
pub fn publish(staging: &Path, site: &Path, best: bool) -> Result<Published> {
    let read = |name: &str| {
        let path = staging.join(name);
        std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let js = read(&format!("{OUTPUT_NAME}.js"))?;
    let wasm = read(&format!("{OUTPUT_NAME}_bg.wasm"))?;
    let css = read(&format!("{OUTPUT_NAME}.css"))?;
    let name = hashed_name(&js, &wasm, &css);
    // The glue's fallback URL (used only when no path is given, as the hub always gives one)
    // would name the unhashed file; point it at the real one.
    let js = String::from_utf8(js)
        .context("the wasm-bindgen glue is not UTF-8")?
        .replace(
            &format!("'{OUTPUT_NAME}_bg.wasm'"),
            &format!("'{name}_bg.wasm'"),
        )
        .into_bytes();
    let pkg = site.join("pkg");
    let mut published = Published {
        name: name.clone(),
        files: Vec::new(),
    };
    let mut keep = Vec::new();
    for (file, bytes) in [
        (format!("{name}.js"), js),
        (format!("{name}_bg.wasm"), wasm),
        (format!("{name}.css"), css),
    ] {
        let br = brotli(&bytes, best)?;
        let gz = gzip(&bytes, best)?;
        write(&pkg.join(&file), &bytes)?;
        write(&pkg.join(format!("{file}.br")), &br)?;
        write(&pkg.join(format!("{file}.gz")), &gz)?;
        published
            .files
            .push((file.clone(), bytes.len(), br.len(), gz.len()));
        keep.extend([format!("{file}.br"), format!("{file}.gz"), file]);
    }
    write(&site.join(BUNDLE_FILE), format!("{name}\n").as_bytes())?;
    remove_all_but(&pkg, &keep)?;
    Ok(published)
}

/// `consign.<first hex digits of SHA-256(js ‖ wasm ‖ css)>`; each part is length-prefixed,
/// so moving bytes from one file to the next changes the hash.
pub fn hashed_name(js: &[u8], wasm: &[u8], css: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for part in [js, wasm, css] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hex::encode(hasher.finalize());
    format!("{OUTPUT_NAME}.{}", &digest[..HASH_DIGITS])
}

fn brotli(bytes: &[u8], best: bool) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: if best { 11 } else { 5 },
        // The window the format allows at most (16 MB): a wasm file has long-range repeats.
        lgwin: 24,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
        .context("brotli compression failed")?;
    Ok(out)
}

fn gzip(bytes: &[u8], best: bool) -> Result<Vec<u8>> {
    let level = if best {
        flate2::Compression::best()
    } else {
        flate2::Compression::fast()
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Writes through a temporary file and a rename, so a running hub never serves half a file.
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Removes every file of `dir` whose name is not in `keep` (earlier bundles).
fn remove_all_but(dir: &Path, keep: &[String]) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && !keep.contains(&name) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_name_follows_every_byte_of_every_file() {
        let name = hashed_name(b"js", b"wasm", b"css");
        assert!(name.starts_with("consign."));
        assert_eq!(name.len(), "consign.".len() + HASH_DIGITS);
        assert_eq!(name, hashed_name(b"js", b"wasm", b"css"));
        assert_ne!(name, hashed_name(b"js", b"wasm", b"css "));
        assert_ne!(name, hashed_name(b"jsw", b"asm", b"css"));
    }

    #[test]
    fn publishing_names_compresses_and_replaces_the_previous_bundle() {
        let site = tempfile::tempdir().unwrap();
        let staging = site.path().join("staging");
        let pkg = site.path().join("pkg");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("consign.0000000000000000.js"), "old").unwrap();
        let glue = "export default function init(p) { p = new URL('consign_bg.wasm', import.meta.url); }\n".repeat(50);
        std::fs::write(staging.join("consign.js"), &glue).unwrap();
        std::fs::write(staging.join("consign_bg.wasm"), vec![7u8; 10_000]).unwrap();
        std::fs::write(staging.join("consign.css"), "body { color: red }\n").unwrap();

        let published = publish(&staging, site.path(), false).unwrap();

        let name = &published.name;
        assert_eq!(
            std::fs::read_to_string(site.path().join(BUNDLE_FILE)).unwrap(),
            format!("{name}\n")
        );
        let js = std::fs::read_to_string(pkg.join(format!("{name}.js"))).unwrap();
        assert!(js.contains(&format!("'{name}_bg.wasm'")), "{js}");
        let wasm = std::fs::read(pkg.join(format!("{name}_bg.wasm"))).unwrap();
        let mut from_br = Vec::new();
        brotli::Decompressor::new(
            &std::fs::read(pkg.join(format!("{name}_bg.wasm.br"))).unwrap()[..],
            4096,
        )
        .read_to_end(&mut from_br)
        .unwrap();
        assert_eq!(from_br, wasm);
        let mut from_gz = Vec::new();
        flate2::read::GzDecoder::new(
            &std::fs::read(pkg.join(format!("{name}.css.gz"))).unwrap()[..],
        )
        .read_to_end(&mut from_gz)
        .unwrap();
        assert_eq!(from_gz, b"body { color: red }\n");
        let mut left: Vec<String> = std::fs::read_dir(&pkg)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 9, "{left:?}");
        assert!(
            left.iter().all(|f| f.starts_with(name.as_str())),
            "{left:?}"
        );
    }
}
