//! L2-regularised logistic regression fitted by L-BFGS on a sparse row matrix.
//!
//! Minimises `C * Σ u_i log(1 + exp(-s_i (x_i·w + b))) + ½‖w‖²` with `s_i = ±1` and row
//! weights `u_i` (the bias is not penalised), the objective and the meaning of `C` of
//! scikit-learn's `LogisticRegression` with `sample_weight`. L-BFGS (Nocedal & Wright, algorithm 7.4, 10 correction pairs)
//! with a backtracking Armijo line search reaches the optimum of this convex problem in a
//! few hundred passes over the data. The passes over the data run on rayon's threads, but
//! every sum is added in the same order as on one thread (each row's margin alone, each
//! column's gradient over its rows in row order, from the column-major copy of the
//! matrix, and the totals in row order), so the same inputs give bit-identical weights
//! on any number of cores.

use std::collections::VecDeque;

use rayon::prelude::*;

/// A compressed sparse row matrix of `f32` values.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    /// Row `i` is `indices[indptr[i]..indptr[i + 1]]` with `values` alike.
    pub indptr: Vec<usize>,
    /// Column of each stored value.
    pub indices: Vec<u32>,
    /// Stored values.
    pub values: Vec<f32>,
    /// Number of columns.
    pub n_cols: usize,
}

impl Csr {
    /// Number of rows.
    pub(crate) fn n_rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// The transpose: row `j` of the result holds column `j`'s values in row order.
    fn transpose(&self) -> Csr {
        let mut indptr = vec![0usize; self.n_cols + 1];
        for &j in &self.indices {
            indptr[j as usize + 1] += 1;
        }
        for j in 0..self.n_cols {
            indptr[j + 1] += indptr[j];
        }
        let mut next = indptr.clone();
        let mut indices = vec![0u32; self.indices.len()];
        let mut values = vec![0f32; self.values.len()];
        for i in 0..self.n_rows() {
            for k in self.indptr[i]..self.indptr[i + 1] {
                let j = self.indices[k] as usize;
                // Row counts fit in u32: they are text counts.
                indices[next[j]] = i as u32;
                values[next[j]] = self.values[k];
                next[j] += 1;
            }
        }
        Csr {
            indptr,
            indices,
            values,
            n_cols: self.n_rows(),
        }
    }

    fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.indptr[i]..self.indptr[i + 1];
        self.indices[range.clone()]
            .iter()
            .zip(&self.values[range])
            .map(|(&j, &v)| (j as usize, f64::from(v)))
    }
}

/// When L-BFGS stops.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stopping {
    /// Most iterations.
    pub max_iter: usize,
    /// Stop when the objective falls by less than this share of itself in an iteration.
    pub rel_tol: f64,
}

/// A fitted model: `P(positive | x) = sigmoid(x·weights + bias)`.
#[derive(Debug, Clone)]
pub(crate) struct Logistic {
    pub weights: Vec<f64>,
    pub bias: f64,
    /// L-BFGS iterations run.
    pub iterations: usize,
}

/// Fits the logistic regression of `y` on the rows of `x`, each row's loss weighted by
/// `row_weights`, with inverse penalty `c`, starting from `start` (a previous fit on the
/// same columns) or from zero.
///
/// # Panics
/// If `y`, `row_weights` and `x` differ in length or `start` has another width:
/// programmer errors.
pub(crate) fn fit(
    x: &Csr,
    y: &[bool],
    row_weights: &[f64],
    c: f64,
    stopping: Stopping,
    start: Option<&Logistic>,
) -> Logistic {
    assert_eq!(x.n_rows(), y.len(), "one label per row");
    assert_eq!(y.len(), row_weights.len(), "one weight per row");
    let d = x.n_cols;
    // theta = [w_0 .. w_{d-1}, b]
    let mut theta = start.map_or_else(
        || vec![0.0; d + 1],
        |s| {
            assert_eq!(s.weights.len(), d, "warm start has the same columns");
            let mut t = s.weights.clone();
            t.push(s.bias);
            t
        },
    );
    let problem = Problem {
        x,
        columns: x.transpose(),
        y,
        row_weights,
        c,
    };
    let mut margins = vec![0.0; y.len()];
    let mut f = problem.objective(&theta, &mut margins);
    let mut g = problem.gradient(&theta, &margins);
    let mut history: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
    let mut iterations = 0;
    while iterations < stopping.max_iter {
        iterations += 1;
        let direction = two_loop(&g, &history);
        let slope = dot(&g, &direction);
        if slope >= 0.0 {
            break; // not a descent direction: at the optimum up to rounding
        }
        // The first step is scaled so that it moves theta by at most 1 in norm.
        let mut step = if history.is_empty() {
            1.0 / norm(&g).max(1.0)
        } else {
            1.0
        };
        let mut candidate = vec![0.0; theta.len()];
        let mut f_new;
        loop {
            for ((c, t), p) in candidate.iter_mut().zip(&theta).zip(&direction) {
                *c = t + step * p;
            }
            f_new = problem.objective(&candidate, &mut margins);
            if f_new <= f + 1e-4 * step * slope || step < 1e-12 {
                break;
            }
            step *= 0.5;
        }
        let g_new = problem.gradient(&candidate, &margins);
        let s: Vec<f64> = candidate.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let yk: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &yk);
        if sy > 1e-12 {
            if history.len() == 10 {
                history.pop_front();
            }
            history.push_back((s, yk, 1.0 / sy));
        }
        let decrease = f - f_new;
        theta = candidate;
        g = g_new;
        let converged = decrease.abs() <= stopping.rel_tol * f_new.abs().max(1.0);
        f = f_new;
        if converged {
            break;
        }
    }
    let bias = theta.pop().expect("theta holds the bias");
    Logistic {
        weights: theta,
        bias,
        iterations,
    }
}

struct Problem<'a> {
    x: &'a Csr,
    /// `x` column by column, for the gradient.
    columns: Csr,
    y: &'a [bool],
    row_weights: &'a [f64],
    c: f64,
}

impl Problem<'_> {
    /// The objective at `theta`; leaves each row's `x·w + b` in `margins`.
    fn objective(&self, theta: &[f64], margins: &mut [f64]) -> f64 {
        let (w, b) = theta.split_at(theta.len() - 1);
        margins.par_iter_mut().enumerate().for_each(|(i, m)| {
            *m = b[0] + self.x.row(i).map(|(j, v)| w[j] * v).sum::<f64>();
        });
        let mut loss = 0.0;
        for (i, (&m, &label)) in margins.iter().zip(self.y).enumerate() {
            let signed = if label { m } else { -m };
            loss += self.row_weights[i] * log1p_exp(-signed);
        }
        self.c * loss + 0.5 * dot(w, w)
    }

    /// The gradient at `theta`, given the margins `objective` left for the same `theta`.
    fn gradient(&self, theta: &[f64], margins: &[f64]) -> Vec<f64> {
        let d = theta.len() - 1;
        let residuals: Vec<f64> = margins
            .iter()
            .zip(self.y)
            .zip(self.row_weights)
            .map(|((&m, &label), &u)| self.c * u * (sigmoid(m) - if label { 1.0 } else { 0.0 }))
            .collect();
        let mut g = theta.to_vec();
        g[..d].par_iter_mut().enumerate().for_each(|(j, gj)| {
            for (i, v) in self.columns.row(j) {
                *gj += residuals[i] * v;
            }
        });
        g[d] = 0.0;
        for r in &residuals {
            g[d] += r;
        }
        g
    }
}

/// L-BFGS two-loop recursion: `-H g` from the stored `(s, y, 1 / s·y)` pairs.
fn two_loop(g: &[f64], history: &VecDeque<(Vec<f64>, Vec<f64>, f64)>) -> Vec<f64> {
    let mut q = g.to_vec();
    let mut alphas = Vec::with_capacity(history.len());
    for (s, y, rho) in history.iter().rev() {
        let a = rho * dot(s, &q);
        axpy(-a, y, &mut q);
        alphas.push(a);
    }
    if let Some((s, y, _)) = history.back() {
        let gamma = dot(s, y) / dot(y, y);
        q.iter_mut().for_each(|v| *v *= gamma);
    }
    for ((s, y, rho), a) in history.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        axpy(a - b, s, &mut q);
    }
    q.iter_mut().for_each(|v| *v = -*v);
    q
}

/// `log(1 + exp(x))` without overflow.
pub(crate) fn log1p_exp(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// The logistic function.
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(rows: &[&[(u32, f32)]], n_cols: usize) -> Csr {
        let mut m = Csr {
            indptr: vec![0],
            n_cols,
            ..Csr::default()
        };
        for row in rows {
            for &(j, v) in *row {
                m.indices.push(j);
                m.values.push(v);
            }
            m.indptr.push(m.indices.len());
        }
        m
    }

    const STOP: Stopping = Stopping {
        max_iter: 500,
        rel_tol: 1e-12,
    };

    #[test]
    fn separates_separable_rows() {
        let x = csr(&[&[(0, 1.0)], &[(0, 1.0)], &[(1, 1.0)], &[(1, 1.0)]], 2);
        let y = [true, true, false, false];
        let m = fit(&x, &y, &[1.0; 4], 10.0, STOP, None);
        assert!(m.weights[0] > 1.0 && m.weights[1] < -1.0, "{m:?}");
    }

    #[test]
    fn matches_the_closed_form_optimum_of_a_one_feature_problem() {
        // One column of ones, no other signal, 3 positives of 4 rows: the penalised
        // optimum has gradient zero, w = c * Σ (y - p) and Σ (y - p) = 0 from the bias,
        // so w = 0 and sigmoid(b) = 3/4.
        let one: &[(u32, f32)] = &[(0, 1.0)];
        let x = csr(&[one; 4], 1);
        let y = [true, true, true, false];
        let m = fit(&x, &y, &[1.0; 4], 1.0, STOP, None);
        assert!(m.weights[0].abs() < 1e-6, "{m:?}");
        assert!((sigmoid(m.bias) - 0.75).abs() < 1e-6, "{m:?}");
    }

    #[test]
    fn same_inputs_give_identical_weights() {
        let x = csr(
            &[&[(0, 1.0), (1, 0.5)], &[(1, 1.0)], &[(0, 0.2), (2, 1.0)]],
            3,
        );
        let y = [true, false, true];
        let a = fit(&x, &y, &[1.0, 2.0, 0.5], 2.0, STOP, None);
        let b = fit(&x, &y, &[1.0, 2.0, 0.5], 2.0, STOP, None);
        assert_eq!(a.weights, b.weights);
        assert_eq!(a.bias.to_bits(), b.bias.to_bits());
    }

    #[test]
    fn one_thread_and_many_give_identical_weights() {
        // 200 rows over 50 columns, values from a fixed integer sequence: enough rows
        // that rayon splits them between threads.
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as u32
        };
        let rows: Vec<Vec<(u32, f32)>> = (0..200)
            .map(|_| {
                let mut cols: Vec<u32> = (0..5).map(|_| next() % 50).collect();
                cols.sort_unstable();
                cols.dedup();
                cols.into_iter()
                    .map(|j| (j, (next() % 1000) as f32 / 1000.0))
                    .collect()
            })
            .collect();
        let refs: Vec<&[(u32, f32)]> = rows.iter().map(Vec::as_slice).collect();
        let x = csr(&refs, 50);
        let y: Vec<bool> = (0..200).map(|i| (i * 7 + i / 3) % 2 == 0).collect();
        let u = vec![1.5; 200];
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            pool.install(|| fit(&x, &y, &u, 4.0, STOP, None))
        };
        let (one, four) = (run(1), run(4));
        let bits = |m: &Logistic| m.weights.iter().map(|w| w.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one), bits(&four));
        assert_eq!(one.bias.to_bits(), four.bias.to_bits());
        assert!(one.iterations > 1, "{one:?}");
    }

    #[test]
    fn the_transpose_lists_each_column_in_row_order() {
        let x = csr(
            &[&[(0, 1.0), (2, 2.0)], &[(2, 3.0)], &[(0, 4.0), (1, 5.0)]],
            3,
        );
        let t = x.transpose();
        let col = |j| t.row(j).collect::<Vec<_>>();
        assert_eq!(col(0), [(0, 1.0), (2, 4.0)]);
        assert_eq!(col(1), [(2, 5.0)]);
        assert_eq!(col(2), [(0, 2.0), (1, 3.0)]);
        assert_eq!((t.n_rows(), t.n_cols), (3, 3));
    }

    #[test]
    fn a_row_weight_of_two_counts_like_a_duplicated_row() {
        let one: &[(u32, f32)] = &[(0, 1.0)];
        let two: &[(u32, f32)] = &[(1, 1.0)];
        let weighted = fit(
            &csr(&[one, two], 2),
            &[true, false],
            &[2.0, 1.0],
            1.0,
            STOP,
            None,
        );
        let copied = fit(
            &csr(&[one, one, two], 2),
            &[true, true, false],
            &[1.0; 3],
            1.0,
            STOP,
            None,
        );
        for (a, b) in weighted.weights.iter().zip(&copied.weights) {
            assert!((a - b).abs() < 1e-6, "{weighted:?} vs {copied:?}");
        }
    }

    #[test]
    fn stable_helpers_do_not_overflow() {
        assert!((log1p_exp(1000.0) - 1000.0).abs() < 1e-9);
        assert!(log1p_exp(-1000.0) >= 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
    }
}
