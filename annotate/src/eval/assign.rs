//! The assignment of least total cost, found as SciPy's `linear_sum_assignment` finds
//! it (Crouse's shortest augmenting path, the same order of search and the same ties),
//! so that where several assignments cost the same the metrics pick the one the
//! reference code picks.

/// The pairs `(row, column)` of the cheapest assignment of the `rows` x `cols` matrix
/// `cost` (row-major, finite), one pair per row or per column, whichever is fewer,
/// sorted by row.
pub fn cheapest(rows: usize, cols: usize, cost: &[f64]) -> Vec<(usize, usize)> {
    debug_assert_eq!(cost.len(), rows * cols);
    if rows == 0 || cols == 0 {
        return Vec::new();
    }
    // The search assigns every row, so a tall matrix is solved transposed.
    if cols < rows {
        let transposed: Vec<f64> =
            (0..cols).flat_map(|j| (0..rows).map(move |i| cost[i * cols + j])).collect();
        let mut pairs: Vec<(usize, usize)> =
            solve(cols, rows, &transposed).into_iter().map(|(j, i)| (i, j)).collect();
        pairs.sort_unstable();
        return pairs;
    }
    solve(rows, cols, cost)
}

/// The pairs of positive score in the assignment of most total score of the `rows` x
/// `cols` matrix `score` (row-major, finite, none negative), as `cheapest` on its
/// negation finds it. Where no row or column has two positive scores, those scores
/// are the assignment and no search is needed: so it is for objects apart from one
/// another, most of a video's frames.
pub fn best_positive(rows: usize, cols: usize, score: &[f64]) -> Vec<(usize, usize)> {
    let mut per_col = vec![0u32; cols];
    let mut pairs = Vec::new();
    let mut apart = true;
    for i in 0..rows {
        let row = &score[i * cols..(i + 1) * cols];
        let mut positive = row.iter().enumerate().filter(|(_, s)| **s > 0.0);
        if let Some((j, _)) = positive.next() {
            apart &= positive.next().is_none();
            per_col[j] += 1;
            pairs.push((i, j));
        }
    }
    if apart && per_col.iter().all(|&n| n <= 1) {
        return pairs;
    }
    let cost: Vec<f64> = score.iter().map(|s| -s).collect();
    cheapest(rows, cols, &cost).into_iter().filter(|&(i, j)| score[i * cols + j] > 0.0).collect()
}

/// `rows <= cols`: every row gets a column.
fn solve(rows: usize, cols: usize, cost: &[f64]) -> Vec<(usize, usize)> {
    let mut s = Search {
        cols,
        cost,
        u: vec![0.0; rows],
        v: vec![0.0; cols],
        shortest: vec![f64::INFINITY; cols],
        path: vec![usize::MAX; cols],
        col_of_row: vec![usize::MAX; rows],
        row_of_col: vec![usize::MAX; cols],
        seen_rows: vec![false; rows],
        seen_cols: vec![false; cols],
        remaining: vec![0; cols],
    };
    for row in 0..rows {
        let (sink, min) = s.augmenting_path(row);
        // Finite costs always leave a path; the duals move by the path's length.
        s.u[row] += min;
        for i in 0..rows {
            if s.seen_rows[i] && i != row {
                s.u[i] += min - s.shortest[s.col_of_row[i]];
            }
        }
        for j in 0..cols {
            if s.seen_cols[j] {
                s.v[j] -= min - s.shortest[j];
            }
        }
        let mut j = sink;
        loop {
            let i = s.path[j];
            s.row_of_col[j] = i;
            std::mem::swap(&mut s.col_of_row[i], &mut j);
            if i == row {
                break;
            }
        }
    }
    s.col_of_row.iter().enumerate().map(|(i, &j)| (i, j)).collect()
}

struct Search<'a> {
    cols: usize,
    cost: &'a [f64],
    u: Vec<f64>,
    v: Vec<f64>,
    shortest: Vec<f64>,
    path: Vec<usize>,
    col_of_row: Vec<usize>,
    row_of_col: Vec<usize>,
    seen_rows: Vec<bool>,
    seen_cols: Vec<bool>,
    remaining: Vec<usize>,
}

impl Search<'_> {
    /// The shortest path from `row` to a free column, and its length.
    fn augmenting_path(&mut self, mut row: usize) -> (usize, f64) {
        let mut min = 0.0;
        let mut left = self.cols;
        // Backwards, so that a constant matrix is assigned along its diagonal.
        for (k, r) in self.remaining.iter_mut().enumerate() {
            *r = self.cols - k - 1;
        }
        self.seen_rows.fill(false);
        self.seen_cols.fill(false);
        self.shortest.fill(f64::INFINITY);
        loop {
            let mut index = usize::MAX;
            let mut lowest = f64::INFINITY;
            self.seen_rows[row] = true;
            for k in 0..left {
                let j = self.remaining[k];
                let reduced = min + self.cost[row * self.cols + j] - self.u[row] - self.v[j];
                if reduced < self.shortest[j] {
                    self.path[j] = row;
                    self.shortest[j] = reduced;
                }
                // Of equal lengths, a free column ends the search sooner.
                if self.shortest[j] < lowest
                    || (self.shortest[j] == lowest && self.row_of_col[j] == usize::MAX)
                {
                    lowest = self.shortest[j];
                    index = k;
                }
            }
            min = lowest;
            let j = self.remaining[index];
            self.seen_cols[j] = true;
            left -= 1;
            self.remaining[index] = self.remaining[left];
            if self.row_of_col[j] == usize::MAX {
                return (j, min);
            }
            row = self.row_of_col[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cost: &[f64], cols: usize, pairs: &[(usize, usize)]) -> f64 {
        pairs.iter().map(|&(i, j)| cost[i * cols + j]).sum()
    }

    /// Every assignment of `rows` rows to distinct columns, the cheapest's cost.
    fn brute_force(rows: usize, cols: usize, cost: &[f64]) -> f64 {
        fn go(i: usize, rows: usize, cols: usize, cost: &[f64], used: &mut Vec<bool>) -> f64 {
            if i == rows {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for j in 0..cols {
                if !used[j] {
                    used[j] = true;
                    best = best.min(cost[i * cols + j] + go(i + 1, rows, cols, cost, used));
                    used[j] = false;
                }
            }
            best
        }
        go(0, rows, cols, cost, &mut vec![false; cols])
    }

    #[test]
    fn finds_the_cheapest_assignment_of_wide_and_tall_matrices() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 40) as f64 / (1u64 << 24) as f64
        };
        for (rows, cols) in [(1, 1), (3, 3), (2, 5), (5, 2), (4, 6), (6, 6)] {
            for _ in 0..20 {
                // Coarse values make ties common.
                let cost: Vec<f64> = (0..rows * cols).map(|_| (next() * 4.0).floor()).collect();
                let pairs = cheapest(rows, cols, &cost);
                assert_eq!(pairs.len(), rows.min(cols));
                let mut cols_used: Vec<usize> = pairs.iter().map(|p| p.1).collect();
                cols_used.sort_unstable();
                cols_used.dedup();
                assert_eq!(cols_used.len(), pairs.len(), "a column used twice");
                let want = if rows <= cols {
                    brute_force(rows, cols, &cost)
                } else {
                    let t: Vec<f64> = (0..cols)
                        .flat_map(|j| (0..rows).map(move |i| (i, j)))
                        .map(|(i, j)| cost[i * cols + j])
                        .collect();
                    brute_force(cols, rows, &t)
                };
                assert_eq!(total(&cost, cols, &pairs), want, "{rows}x{cols} {cost:?}");
            }
        }
    }

    #[test]
    fn ties_go_where_scipy_sends_them() {
        // SciPy's own answers on matrices of -1, 0 and 1 (`scripts/eval-reference.sh`).
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval/tracking/trackeval.json");
        let reference: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let cases = reference["lsap"].as_array().unwrap();
        assert_eq!(cases.len(), 60);
        for case in cases {
            let matrix = case["cost"].as_array().unwrap();
            let rows = matrix.len();
            let cols = matrix[0].as_array().unwrap().len();
            let cost: Vec<f64> = matrix
                .iter()
                .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
                .collect();
            let want: Vec<(usize, usize)> = case["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_u64().unwrap() as usize, p[1].as_u64().unwrap() as usize))
                .collect();
            assert_eq!(cheapest(rows, cols, &cost), want, "{cost:?}");
        }
    }

    #[test]
    fn positive_scores_apart_need_no_search_and_give_what_the_search_gives() {
        let mut seed = 11u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 40) as f64 / (1u64 << 24) as f64
        };
        for (rows, cols) in [(4, 4), (3, 6), (6, 3), (8, 8)] {
            for _ in 0..50 {
                // Mostly zeros, with ties among the rest.
                let score: Vec<f64> = (0..rows * cols)
                    .map(|_| if next() < 0.75 { 0.0 } else { (next() * 3.0).ceil() })
                    .collect();
                let cost: Vec<f64> = score.iter().map(|s| -s).collect();
                let searched: Vec<(usize, usize)> = cheapest(rows, cols, &cost)
                    .into_iter()
                    .filter(|&(i, j)| score[i * cols + j] > 0.0)
                    .collect();
                assert_eq!(best_positive(rows, cols, &score), searched, "{score:?}");
            }
        }
    }

    #[test]
    fn a_constant_matrix_goes_along_the_diagonal() {
        assert_eq!(cheapest(3, 3, &[1.0; 9]), vec![(0, 0), (1, 1), (2, 2)]);
        assert_eq!(cheapest(3, 2, &[0.0; 6]), vec![(0, 0), (1, 1)]);
        assert!(cheapest(0, 4, &[]).is_empty());
    }
}
