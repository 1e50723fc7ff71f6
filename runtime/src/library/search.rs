//! Turning a library name (`"z"`, `"m"`, `"sqlite3"`) into the ordered list
//! of file names to hand to `dlopen`, the way a dynamic loader user would.

use super::cache::{CacheError, LdCache};

/// One step of a library search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Hand this file name or path to `dlopen`.
    Try(String),
    /// The loader-cache step was skipped, for this reason.
    CacheSkipped(String),
}

/// The ordered list of file names tried for the library `name`:
///
/// 1. the `explicit` candidates, in order;
/// 2. if `name` is already a file name (contains `/`, ends in `.so` or
///    contains `.so.`), `name` itself and nothing more; otherwise
/// 3. `lib<name>.so`, then
/// 4. every soname `lib<name>.so.<digits>[.<digits>...]` the system loader
///    cache (`/etc/ld.so.cache`) knows for x86-64, highest version first.
///
/// Duplicates and empty names are dropped. If the loader cache cannot be
/// used, step 4 contributes nothing.
pub fn candidate_names(name: &str, explicit: &[&str]) -> Vec<String> {
    plan(name, explicit)
        .into_iter()
        .filter_map(|step| match step {
            Step::Try(candidate) => Some(candidate),
            Step::CacheSkipped(_) => None,
        })
        .collect()
}

/// The search steps for `name`, using the system loader cache.
pub(crate) fn plan(name: &str, explicit: &[&str]) -> Vec<Step> {
    plan_with(name, explicit, LdCache::system)
}

/// The search steps for `name`, with the loader cache supplied by `cache`
/// (called only when the cache step is reached).
pub(crate) fn plan_with<'c>(
    name: &str,
    explicit: &[&str],
    cache: impl FnOnce() -> Result<&'c LdCache, &'c CacheError>,
) -> Vec<Step> {
    fn push(steps: &mut Vec<Step>, candidate: &str) {
        let seen = steps
            .iter()
            .any(|s| matches!(s, Step::Try(c) if c == candidate));
        if !candidate.is_empty() && !seen {
            steps.push(Step::Try(candidate.to_owned()));
        }
    }
    let mut steps = Vec::new();
    for candidate in explicit {
        push(&mut steps, candidate);
    }
    if name.is_empty() {
        return steps;
    }
    if is_file_name(name) {
        push(&mut steps, name);
        return steps;
    }
    push(&mut steps, &format!("lib{name}.so"));
    match cache() {
        Ok(cache) => {
            for soname in versioned_sonames(cache, name) {
                push(&mut steps, soname);
            }
        }
        Err(err) => steps.push(Step::CacheSkipped(format!("skipped: {err}"))),
    }
    steps
}

/// Whether `name` is a file name or path to use as is, rather than a bare
/// library name to decorate with `lib`/`.so`.
pub(crate) fn is_file_name(name: &str) -> bool {
    name.contains('/') || name.ends_with(".so") || name.contains(".so.")
}

/// The cache's sonames `lib<name>.so.<version>` for `name`, highest version
/// first, without duplicates.
fn versioned_sonames<'c>(cache: &'c LdCache, name: &str) -> Vec<&'c str> {
    let mut found: Vec<(Vec<u64>, &str)> = cache
        .entries()
        .iter()
        .filter_map(|e| Some((soname_version(name, &e.soname)?, e.soname.as_str())))
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    found.dedup_by(|a, b| a.1 == b.1);
    found.into_iter().map(|(_, soname)| soname).collect()
}

/// The version of `soname` if it is `lib<name>.so.<digits>[.<digits>...]`,
/// as its numeric components.
fn soname_version(name: &str, soname: &str) -> Option<Vec<u64>> {
    let version = soname
        .strip_prefix("lib")?
        .strip_prefix(name)?
        .strip_prefix(".so.")?;
    version
        .split('.')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fake_cache() -> LdCache {
        let mut image = Vec::new();
        let names = [
            "libfoo.so.1",
            "libfoo.so.2",
            "libfoo.so.10",
            "libfoo.so.2.1",
            "libfoo.so.2", // hwcaps duplicate
            "libfoobar.so.3",
            "libfoo.so.x",
            "libfoo.so",
            "libfoo.so.1.",
        ];
        // A minimal new-format image, built by hand.
        let table_end = 48 + names.len() * 24;
        let mut strings = Vec::new();
        let mut offsets = Vec::new();
        for soname in names {
            let key = table_end + strings.len();
            strings.extend_from_slice(soname.as_bytes());
            strings.push(0);
            let value = table_end + strings.len();
            strings.extend_from_slice(format!("/lib/{soname}").as_bytes());
            strings.push(0);
            offsets.push((key as u32, value as u32));
        }
        image.extend_from_slice(b"glibc-ld.so.cache1.1");
        image.extend_from_slice(&(names.len() as u32).to_ne_bytes());
        image.extend_from_slice(&(strings.len() as u32).to_ne_bytes());
        image.extend_from_slice(&[2, 0, 0, 0]);
        image.extend_from_slice(&[0; 16]);
        for (key, value) in offsets {
            image.extend_from_slice(&0x0303i32.to_ne_bytes());
            image.extend_from_slice(&key.to_ne_bytes());
            image.extend_from_slice(&value.to_ne_bytes());
            image.extend_from_slice(&[0; 12]);
        }
        image.extend_from_slice(&strings);
        LdCache::parse(&image).unwrap()
    }

    #[test]
    fn versions_sorted_highest_first() {
        let cache = fake_cache();
        let steps = plan_with("foo", &[], || Ok(&cache));
        assert_eq!(
            steps,
            [
                "libfoo.so",
                "libfoo.so.10",
                "libfoo.so.2.1",
                "libfoo.so.2",
                "libfoo.so.1"
            ]
            .map(|s| Step::Try(s.to_owned()))
        );
    }

    #[test]
    fn explicit_first_and_not_repeated() {
        let cache = fake_cache();
        let steps = plan_with("foo", &["libfoo.so.2", "/opt/libfoo.so"], || Ok(&cache));
        let names: Vec<_> = steps
            .iter()
            .map(|s| match s {
                Step::Try(c) => c.as_str(),
                Step::CacheSkipped(_) => "?",
            })
            .collect();
        assert_eq!(
            names,
            [
                "libfoo.so.2",
                "/opt/libfoo.so",
                "libfoo.so",
                "libfoo.so.10",
                "libfoo.so.2.1",
                "libfoo.so.1"
            ]
        );
    }

    #[test]
    fn file_names_and_paths_are_used_as_is() {
        let never = || -> Result<&LdCache, &CacheError> { panic!("cache consulted") };
        assert_eq!(
            plan_with("libfoo.so.2", &[], never),
            [Step::Try("libfoo.so.2".into())]
        );
        assert_eq!(
            plan_with("./x/libbar.so", &["a.so"], never),
            [Step::Try("a.so".into()), Step::Try("./x/libbar.so".into())]
        );
        assert_eq!(plan_with("", &["", "b"], never), [Step::Try("b".into())]);
    }

    #[test]
    fn unusable_cache_is_recorded() {
        let err = CacheError::BadMagic;
        let steps = plan_with("foo", &[], || Err(&err));
        assert_eq!(steps[0], Step::Try("libfoo.so".into()));
        assert!(matches!(&steps[1], Step::CacheSkipped(why) if why.contains("magic")));
        assert_eq!(steps.len(), 2);
    }

    #[test]
    fn system_candidates_for_z() {
        let names = candidate_names("z", &[]);
        assert_eq!(names[0], "libz.so");
        if LdCache::system().is_ok_and(|c| c.find("libz.so.1").is_some()) {
            assert_eq!(names[1], "libz.so.1");
        }
        // libz3 must not be mistaken for a version of libz.
        assert!(names.iter().all(|n| !n.starts_with("libz3")));
    }
}
