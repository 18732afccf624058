//! A tile map of the 81 provinces: one square per province on a grid that roughly follows the map
//! of Türkiye (`data/province_tiles.csv`), coloured by a value.

use std::fmt::Write as _;
use std::sync::OnceLock;

use super::html::escape;
use crate::error::{Error, Result};
use crate::geo::ProvincePlate;

const TILES_CSV: &str = include_str!("../../../data/province_tiles.csv");

/// Where a province's tile sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// The province.
    pub plate: ProvincePlate,
    /// Grid row (0 = north).
    pub row: u8,
    /// Grid column (0 = west).
    pub col: u8,
}

/// Parses a tile layout: `plate,row,col` lines after a header; `#` lines are comments. Every
/// plate exactly once, no two tiles in one cell.
pub fn parse_tiles(text: &str) -> Result<Vec<Tile>> {
    let err = |line: usize, message: String| Error::DataFile {
        file: "province_tiles.csv".into(),
        line,
        message,
    };
    let mut tiles: Vec<Tile> = Vec::with_capacity(81);
    let mut header = false;
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if !header {
            if l != "plate,row,col" {
                return Err(err(
                    i + 1,
                    format!("expected header plate,row,col, found {l:?}"),
                ));
            }
            header = true;
            continue;
        }
        let f: Vec<&str> = l.split(',').collect();
        let [p, r, c] = f[..] else {
            return Err(err(i + 1, format!("expected 3 fields, found {}", f.len())));
        };
        let plate: ProvincePlate = p.parse().map_err(|e: Error| err(i + 1, e.to_string()))?;
        let num = |s: &str| {
            s.trim()
                .parse::<u8>()
                .map_err(|e| err(i + 1, e.to_string()))
        };
        let (row, col) = (num(r)?, num(c)?);
        if let Some(t) = tiles
            .iter()
            .find(|t| t.plate == plate || (t.row, t.col) == (row, col))
        {
            return Err(err(i + 1, format!("{plate} collides with {}", t.plate)));
        }
        tiles.push(Tile { plate, row, col });
    }
    if tiles.len() != usize::from(ProvincePlate::COUNT) {
        return Err(err(0, format!("{} provinces, expected 81", tiles.len())));
    }
    Ok(tiles)
}

/// The bundled layout (checked by a test; an unreadable layout yields no map).
pub fn tiles() -> &'static [Tile] {
    static TILES: OnceLock<Vec<Tile>> = OnceLock::new();
    TILES.get_or_init(|| parse_tiles(TILES_CSV).unwrap_or_default())
}

/// Sequential blues, light to dark.
const SCALE: [&str; 5] = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

/// The tile map as inline SVG. `value(plate)` gives the number to colour by (`None`: no data,
/// grey) and `label(plate)` the tooltip; colours are quintiles of the values present.
pub fn tile_map_svg(
    title: &str,
    value: impl Fn(ProvincePlate) -> Option<f64>,
    label: impl Fn(ProvincePlate) -> String,
) -> String {
    const CELL: f64 = 46.0;
    let tiles = tiles();
    if tiles.is_empty() {
        return String::new();
    }
    let rows = tiles.iter().map(|t| t.row).max().unwrap_or(0) as f64 + 1.0;
    let cols = tiles.iter().map(|t| t.col).max().unwrap_or(0) as f64 + 1.0;
    let mut values: Vec<f64> = tiles.iter().filter_map(|t| value(t.plate)).collect();
    values.sort_by(f64::total_cmp);
    // Upper bounds of the first four quintile classes.
    let cuts: Vec<f64> = (1..SCALE.len())
        .map(|k| {
            values
                .get((values.len() * k / SCALE.len()).min(values.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    let colour = |v: f64| SCALE[cuts.iter().filter(|c| v > **c).count().min(SCALE.len() - 1)];
    let (w, h) = (cols * CELL + 10.0, rows * CELL + 40.0);
    let mut s = String::new();
    let t = escape(title);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" aria-label=\"{t}\"><title>{t}</title>"
    );
    for tile in tiles {
        let x = 5.0 + f64::from(tile.col) * CELL;
        let y = 5.0 + f64::from(tile.row) * CELL;
        let fill = value(tile.plate).map_or("#eceff1", colour);
        let ink = if matches!(fill, "#3182bd" | "#08519c") {
            "#ffffff"
        } else {
            "#1d2733"
        };
        let _ = write!(
            s,
            "<g><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{fill}\" stroke=\"#ffffff\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\" fill=\"{ink}\">{}</text></g>",
            escape(&label(tile.plate)),
            CELL - 3.0,
            CELL - 3.0,
            x + (CELL - 3.0) / 2.0,
            y + CELL / 2.0 + 3.0,
            tile.plate
        );
    }
    // Legend: the five classes, lowest first.
    let ly = 10.0 + rows * CELL;
    for (i, c) in SCALE.iter().enumerate() {
        let x = 5.0 + i as f64 * 36.0;
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{ly}\" width=\"34\" height=\"14\" fill=\"{c}\"/>"
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1d2733\">düşük → yüksek (beşte birlik dilimler); gri: başvuru yok</text></svg>",
        5.0 + SCALE.len() as f64 * 36.0 + 8.0,
        ly + 12.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_layout_has_every_province_once() {
        let t = parse_tiles(TILES_CSV).unwrap();
        assert_eq!(t.len(), 81);
        assert_eq!(tiles().len(), 81);
        // West to east: Edirne (22) lies west of Van (65); north to south: Sinop (57) above Hatay (31).
        let at = |p: u8| *t.iter().find(|x| x.plate.get() == p).unwrap();
        assert!(at(22).col < at(65).col);
        assert!(at(57).row < at(31).row);
    }

    #[test]
    fn bad_layouts_are_refused() {
        assert!(parse_tiles("plate,row,col\n01,0,0\n02,0,0\n").is_err());
        assert!(parse_tiles("plate,row,col\n01,0,0\n01,0,1\n").is_err());
        assert!(parse_tiles("plate,row,col\n01,0\n").is_err());
        assert!(parse_tiles("p,r,c\n").is_err());
        assert!(parse_tiles("plate,row,col\n01,0,0\n").is_err());
    }
}
