//! A pane's rows with each one's place by its key: the list holds keys, and each row drawn is
//! found by its key.

use std::collections::HashMap;
use std::ops::Deref;

#[derive(Debug, Clone)]
pub struct Keyed<T> {
    rows: Vec<T>,
    index: HashMap<i64, usize>,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed {
            rows: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Keyed<T> {
    /// `rows`, each known by `key`.
    pub fn new(rows: Vec<T>, key: impl Fn(&T) -> i64) -> Keyed<T> {
        let index = rows.iter().enumerate().map(|(i, r)| (key(r), i)).collect();
        Keyed { rows, index }
    }

    /// Rows whose index was built elsewhere (off the console's thread, for a million rows).
    pub fn from_parts(rows: Vec<T>, index: HashMap<i64, usize>) -> Keyed<T> {
        Keyed { rows, index }
    }

    pub fn get(&self, key: i64) -> Option<&T> {
        self.index.get(&key).map(|&i| &self.rows[i])
    }

    /// Where the row of `key` is.
    pub fn position(&self, key: i64) -> Option<usize> {
        self.index.get(&key).copied()
    }

    /// Puts the row of `key` in, in its place or last; false when it was there already as it
    /// is.
    pub fn put(&mut self, key: i64, row: T) -> bool
    where
        T: PartialEq,
    {
        match self.index.get(&key) {
            Some(&i) if self.rows[i] == row => false,
            Some(&i) => {
                self.rows[i] = row;
                true
            }
            None => {
                self.index.insert(key, self.rows.len());
                self.rows.push(row);
                true
            }
        }
    }
}

impl<T> Deref for Keyed<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_found_by_key_and_put_back_in_place() {
        let mut k = Keyed::new(vec![(7, "a"), (3, "b")], |r| r.0);
        assert_eq!(k.get(3), Some(&(3, "b")));
        assert_eq!(k.position(7), Some(0));
        assert!(!k.put(3, (3, "b")), "unchanged");
        assert!(k.put(3, (3, "c")));
        assert!(k.put(9, (9, "d")));
        assert_eq!(&k[..], [(7, "a"), (3, "c"), (9, "d")]);
        assert_eq!(k.get(1), None);
    }
}
