//! Who is running retain: the operating system's user, from the real user id, so that `$USER`
//! cannot be set to someone else's name.

/// The login name of the real user id, or `uid:N` when the system has no name for it.
pub fn os_user() -> String {
    // SAFETY: getuid cannot fail; getpwuid_r writes only into the buffers passed to it, and the
    // name is read only when it reports success and a non-null result that points into `buf`.
    unsafe {
        let uid = libc::getuid();
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
            std::ffi::CStr::from_ptr(pwd.pw_name)
                .to_string_lossy()
                .into_owned()
        } else {
            format!("uid:{uid}")
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_current_user_has_a_name() {
        let name = super::os_user();
        assert!(!name.is_empty());
        assert!(!name.contains('\0'));
    }
}
