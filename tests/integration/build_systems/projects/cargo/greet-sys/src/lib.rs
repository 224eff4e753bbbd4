use std::ffi::CStr;
use std::os::raw::c_char;

extern "C" {
    fn greet_version() -> *const c_char;
}

pub fn version() -> String {
    unsafe { CStr::from_ptr(greet_version()) }.to_string_lossy().into_owned()
}
