//! The text being edited in a form field: lines and a cursor, with the editing a rep expects
//! (words, line starts and ends, paste of many lines). Single-line fields turn newlines into
//! spaces.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    lines: Vec<String>,
    /// Line and character (not byte) of the cursor.
    row: usize,
    col: usize,
    multiline: bool,
}

impl Editor {
    pub fn single_line(text: &str) -> Editor {
        let mut e = Editor {
            lines: vec![String::new()],
            row: 0,
            col: 0,
            multiline: false,
        };
        e.insert_str(text);
        e
    }

    pub fn multi_line(text: &str) -> Editor {
        let mut e = Editor {
            lines: vec![String::new()],
            row: 0,
            col: 0,
            multiline: true,
        };
        e.insert_str(text);
        e
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines.len() == 1 && self.lines[0].is_empty()
    }

    /// The cursor as (line, cells from the start of the line).
    pub fn cursor_cells(&self) -> (usize, usize) {
        let cells = self.lines[self.row]
            .chars()
            .take(self.col)
            .map(|c| c.width().unwrap_or(0))
            .sum();
        (self.row, cells)
    }

    fn line_len(&self) -> usize {
        self.lines[self.row].chars().count()
    }

    fn byte_at(&self, col: usize) -> usize {
        let line = &self.lines[self.row];
        line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    pub fn insert_char(&mut self, c: char) {
        if c == '\n' || c == '\r' {
            if self.multiline {
                self.newline();
            } else {
                self.insert_char(' ');
            }
            return;
        }
        if c.is_control() {
            return;
        }
        let at = self.byte_at(self.col);
        self.lines[self.row].insert(at, c);
        self.col += 1;
    }

    /// Pastes text as typed; CRLF and CR line ends count as one newline.
    pub fn insert_str(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for c in text.chars() {
            if c == '\t' {
                self.insert_str("    ");
            } else {
                self.insert_char(c);
            }
        }
    }

    fn newline(&mut self) {
        let at = self.byte_at(self.col);
        let rest = self.lines[self.row].split_off(at);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            self.col -= 1;
            let at = self.byte_at(self.col);
            self.lines[self.row].remove(at);
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.line_len();
            self.lines[self.row].push_str(&line);
        }
    }

    pub fn delete(&mut self) {
        if self.col < self.line_len() {
            let at = self.byte_at(self.col);
            self.lines[self.row].remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.line_len();
        }
    }

    pub fn right(&mut self) {
        if self.col < self.line_len() {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub fn up(&mut self) {
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(self.line_len());
        }
    }

    pub fn down(&mut self) {
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(self.line_len());
        }
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = self.line_len();
    }

    /// Where the word before the cursor starts: back over blanks, then over the word.
    fn word_start_before(&self) -> usize {
        let chars: Vec<char> = self.lines[self.row].chars().collect();
        let mut i = self.col;
        while i > 0 && !chars[i - 1].is_alphanumeric() {
            i -= 1;
        }
        while i > 0 && chars[i - 1].is_alphanumeric() {
            i -= 1;
        }
        i
    }

    fn word_end_after(&self) -> usize {
        let chars: Vec<char> = self.lines[self.row].chars().collect();
        let mut i = self.col;
        while i < chars.len() && !chars[i].is_alphanumeric() {
            i += 1;
        }
        while i < chars.len() && chars[i].is_alphanumeric() {
            i += 1;
        }
        i
    }

    pub fn word_left(&mut self) {
        if self.col == 0 {
            self.left();
        } else {
            self.col = self.word_start_before();
        }
    }

    pub fn word_right(&mut self) {
        if self.col == self.line_len() {
            self.right();
        } else {
            self.col = self.word_end_after();
        }
    }

    /// Ctrl-W: deletes the word before the cursor (or joins with the line above at its start).
    pub fn delete_word_before(&mut self) {
        if self.col == 0 {
            self.backspace();
            return;
        }
        let start = self.word_start_before();
        let (from, to) = (self.byte_at(start), self.byte_at(self.col));
        self.lines[self.row].replace_range(from..to, "");
        self.col = start;
    }

    /// Ctrl-U: deletes from the start of the line to the cursor.
    pub fn delete_to_line_start(&mut self) {
        let to = self.byte_at(self.col);
        self.lines[self.row].replace_range(..to, "");
        self.col = 0;
    }

    /// Ctrl-K: deletes from the cursor to the end of the line.
    pub fn delete_to_line_end(&mut self) {
        let from = self.byte_at(self.col);
        self.lines[self.row].truncate(from);
    }

    /// Applies an editing key (readline's where they do not clash); false when the key does
    /// not edit.
    pub fn apply_key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('w') if ctrl => self.delete_word_before(),
            KeyCode::Backspace if ctrl || alt => self.delete_word_before(),
            KeyCode::Char('u') if ctrl => self.delete_to_line_start(),
            KeyCode::Char('k') if ctrl => self.delete_to_line_end(),
            KeyCode::Char('a') if ctrl => self.home(),
            KeyCode::Char('e') if ctrl => self.end(),
            KeyCode::Char('b') if alt => self.word_left(),
            KeyCode::Char('f') if alt => self.word_right(),
            KeyCode::Left if ctrl || alt => self.word_left(),
            KeyCode::Right if ctrl || alt => self.word_right(),
            KeyCode::Char(_) if ctrl || alt => return false,
            KeyCode::Char(c) => self.insert_char(c),
            KeyCode::Enter => self.insert_char('\n'),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Up => self.up(),
            KeyCode::Down => self.down(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_and_moving() {
        let mut e = Editor::multi_line("");
        for c in "hello world".chars() {
            e.insert_char(c);
        }
        e.home();
        e.insert_char('>');
        e.end();
        e.insert_char('!');
        assert_eq!(e.text(), ">hello world!");
        e.word_left();
        e.insert_char('_');
        assert_eq!(e.text(), ">hello _world!");
        e.word_left();
        e.insert_char('^');
        assert_eq!(e.text(), ">^hello _world!");
    }

    #[test]
    fn paste_of_many_lines_keeps_them_and_the_cursor_follows() {
        let mut e = Editor::multi_line("");
        e.insert_str("first\r\nsecond\nthird");
        assert_eq!(e.lines().len(), 3);
        assert_eq!(e.cursor_cells(), (2, 5));
        e.up();
        e.end();
        e.insert_char('!');
        assert_eq!(e.text(), "first\nsecond!\nthird");
    }

    #[test]
    fn single_line_fields_turn_newlines_into_spaces() {
        let e = Editor::single_line("a\nb");
        assert_eq!(e.text(), "a b");
        assert_eq!(e.lines().len(), 1);
    }

    #[test]
    fn word_and_line_deletes() {
        let mut e = Editor::multi_line("called the customer  ");
        e.delete_word_before();
        assert_eq!(e.text(), "called the ");
        e.delete_word_before();
        assert_eq!(e.text(), "called ");
        e.home();
        e.word_right();
        e.delete_to_line_end();
        assert_eq!(e.text(), "called");
        e.delete_to_line_start();
        assert!(e.is_empty());
    }

    #[test]
    fn backspace_and_delete_join_lines() {
        let mut e = Editor::multi_line("ab\ncd");
        e.up();
        e.home();
        e.down();
        e.backspace();
        assert_eq!(e.text(), "abcd");
        e.home();
        e.insert_char('\n');
        e.up();
        e.end();
        e.delete();
        assert_eq!(e.text(), "abcd");
    }

    #[test]
    fn wide_characters_place_the_cursor_by_cells() {
        let mut e = Editor::single_line("王伟");
        assert_eq!(e.cursor_cells(), (0, 4));
        e.left();
        assert_eq!(e.cursor_cells(), (0, 2));
        e.backspace();
        assert_eq!(e.text(), "伟");
        let mut m = Editor::single_line("Mu\u{308}");
        m.end();
        assert_eq!(m.cursor_cells(), (0, 2));
    }

    #[test]
    fn control_characters_are_not_typed() {
        let mut e = Editor::single_line("a\u{1b}[2Jb\u{7}");
        e.insert_char('\u{0}');
        assert_eq!(e.text(), "a[2Jb");
    }
}
