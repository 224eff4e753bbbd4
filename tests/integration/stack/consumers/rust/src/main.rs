//! Calls zlib, liblzma and zstd through their -sys crates and prints one line for each.
use std::ffi::CStr;

fn main() {
    unsafe {
        let z = CStr::from_ptr(libz_sys::zlibVersion());
        println!("zlib {} ok", z.to_string_lossy());
        let l = CStr::from_ptr(lzma_sys::lzma_version_string());
        println!("liblzma {} ok", l.to_string_lossy());
        let s = CStr::from_ptr(zstd_sys::ZSTD_versionString());
        let text = b"stack prefix store runpath loader soname library program";
        let mut c = vec![0u8; 256];
        let n = zstd_sys::ZSTD_compress(c.as_mut_ptr().cast(), c.len(), text.as_ptr().cast(), text.len(), 3);
        let mut d = vec![0u8; 256];
        let m = zstd_sys::ZSTD_decompress(d.as_mut_ptr().cast(), d.len(), c.as_ptr().cast(), n);
        let ok = zstd_sys::ZSTD_isError(n) == 0 && m == text.len() && &d[..m] == text;
        println!("zstd {} {}", s.to_string_lossy(), if ok { "ok" } else { "FAILED" });
        if !ok {
            std::process::exit(1);
        }
    }
}
