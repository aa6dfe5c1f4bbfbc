// Package ocsvm implements the ν-one-class support vector machine of
// Schölkopf et al. (2001), solved as libsvm solves it, and a scalable
// approximation for hundreds of thousands of rows.
//
// # The model
//
// Fit solves the one-class dual in libsvm's scaling,
//
//	min ½αᵀQα  subject to  0 ≤ αᵢ ≤ 1,  Σαᵢ = ν·n,  Q_ij = K(xᵢ, xⱼ),
//
// and the decision function is decision(x) = Σ αᵢ K(svᵢ, x) − ρ, positive
// inside the learnt region. Score returns −decision(x), so that, as
// everywhere in Vigil, higher is more anomalous and −ScoreBatch(X) equals
// scikit-learn's OneClassSVM.decision_function(X) (scikit-learn's
// score_samples is decision_function + offset_, with offset_ = ρ). Decision,
// DecisionBatch, Rho, SupportVectors, SupportIndices, Coefficients,
// Iterations, Gap, Objective and Converged expose the fit.
//
// The zero Config is scikit-learn's default: ν = 0.5, the RBF kernel
// exp(−γ‖x−y‖²), γ = 'scale' = 1/(d·Var(X)) with the variance over every
// value of X (1 when it is 0), Tol 1e-3, a 200 MiB kernel cache. Pass
// AutoGamma(d) as Gamma for 'auto', 1/d. Linear, polynomial
// (γ⟨x,y⟩ + Coef0)^Degree and sigmoid tanh(γ⟨x,y⟩ + Coef0) kernels are
// there too. ν bounds the fraction of training rows outside the boundary
// from above and the fraction of support vectors from below.
//
// # The solver
//
// SMO with the second-order working-set selection of Fan, Chen and Lin
// (2005, WSS 3): the first index maximises −∇f over the rows that may grow,
// the second minimises −(Gmax + ∇fⱼ)²/(Kᵢᵢ + Kⱼⱼ − 2Kᵢⱼ) over the rows
// that may shrink; the iteration stops when the maximal violating pair gap
// Gmax + max ∇f falls below Tol, libsvm's rule. It follows libsvm's path
// (Chang and Lin, "LIBSVM: a library for support vector machines", 2011):
// the greedy start (the first ⌊ν·n⌋ rows at 1, the next at the remainder,
// with ν·n summed row by row as scikit-learn does), shrinking every
// min(n, 1000) iterations with one unshrink when the gap is within 10·Tol,
// gradient reconstruction, and kernel rows cached as float32 in an LRU cache
// of CacheMiB. On the shared sets (cardio, thyroid, pendigits, satellite,
// optdigits, mnist, mammography, ν = 0.5 and 0.1) it reaches scikit-learn
// 1.2.1's support vectors and iteration counts exactly and its decision
// values to 2e-4 or better, 1e-8 on 13 of the 14 fits
// (benchmarks/scripts/sklearn_ocsvm.py refs --go).
//
// Kernel rows are computed with AVX2/FMA dot products where the CPU has
// them (rows padded to a multiple of four values) and in parallel on
// Workers goroutines, in blocks whose boundaries do not depend on the
// number of workers: the model is bit-identical for any Workers. The
// greedy start computes ⌊ν·n⌋ full kernel rows, so time and the useful
// cache grow as ν·n²: the exact solver suits up to a few tens of thousands
// of rows.
//
// MaxIter 0 means no limit; with WSS 3 SMO terminates for any Tol > 0.
// When a limit stops the fit first, Fit still returns the model, with
// Converged false and the gap it reached.
//
// # Degenerate input
//
// Empty input, NaN or ±Inf and values beyond ±1e150 (whose squared norms
// overflow) are refused, as are kernels whose K(x, x) overflows (a high
// polynomial degree on large values). All rows equal: Var(X) = 0, γ = 1,
// the solver stops at its start and every training row has decision 0, as
// scikit-learn. One row: α = ν and ρ = ν·K(x, x). ν = 1 puts every α at 1,
// where the KKT conditions leave ρ unbounded above; libsvm returns +Inf
// (and scikit-learn refuses the model), this package takes the least
// admissible value, the largest gradient, so that no training row is
// inside the region.
//
// # Scalable approximations
//
// Config.Approximation = Nystroem maps rows to Components (300) features
// with the Nyström approximation of the RBF kernel, landmarks drawn from
// the rows with Seed, eigenvalues of the landmark kernel below 1e-10 of the
// largest dropped, and trains a linear one-class SVM on them by averaged
// SGD on scikit-learn's SGDOneClassSVM objective
// ν/2‖w‖² − νρ + mean(max(0, ρ − w·z)), for Epochs (10) passes over at most
// TrainRows (50,000) rows drawn with Seed. The result is again a kernel
// expansion, Σ uₗ K(landmarkₗ, x) − ρ, so SupportVectors returns the
// landmarks and Coefficients their uₗ. Fourier uses random Fourier features
// (Rahimi and Recht 2007) instead: cheaper to map, noisier at the same
// Components. Memory beyond the data is TrainRows × Components float32
// values (57 MiB at the defaults), whatever the number of rows. On shuttle
// the Nyström ROC-AUC is that of the exact solver and on cover that of
// scikit-learn's Nystroem(300) + SGDOneClassSVM, each fit in a few
// seconds.
//
// Explain gives each feature's part in a row's score: how far the score
// falls when that feature alone takes the value the model finds most
// typical given the others (see Model.Explain).
//
// A Model is immutable and safe for concurrent use; Score allocates
// nothing. MarshalBinary/UnmarshalBinary encode it in Vigil's versioned,
// checksummed format; decoding checks the invariants Fit guarantees.
package ocsvm
