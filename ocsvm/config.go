package ocsvm

import (
	"fmt"
	"math"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
)

// Kernel selects the kernel function K(x, y).
type Kernel int

const (
	// RBF is exp(−γ‖x−y‖²), scikit-learn's default.
	RBF Kernel = iota
	// Linear is ⟨x, y⟩.
	Linear
	// Poly is (γ⟨x, y⟩ + Coef0)^Degree.
	Poly
	// Sigmoid is tanh(γ⟨x, y⟩ + Coef0).
	Sigmoid
)

func (k Kernel) String() string {
	switch k {
	case RBF:
		return "rbf"
	case Linear:
		return "linear"
	case Poly:
		return "poly"
	case Sigmoid:
		return "sigmoid"
	}
	return fmt.Sprintf("Kernel(%d)", int(k))
}

// Approximation selects the solver.
type Approximation int

const (
	// Exact solves the kernel one-class SVM dual by SMO, as libsvm does.
	// Time grows with the square of the rows: it suits up to a few tens of
	// thousands.
	Exact Approximation = iota
	// Nystroem maps the rows into Components features with the Nyström
	// approximation of the RBF kernel (landmarks drawn from the training
	// rows) and trains a linear one-class SVM on them by SGD, as
	// scikit-learn's Nystroem followed by SGDOneClassSVM.
	Nystroem
	// Fourier maps the rows into Components random Fourier features of the
	// RBF kernel (Rahimi and Recht 2007) and trains the same linear
	// one-class SVM by SGD, as scikit-learn's RBFSampler followed by
	// SGDOneClassSVM. It is the cheapest per row.
	Fourier
)

func (a Approximation) String() string {
	switch a {
	case Exact:
		return "exact"
	case Nystroem:
		return "nystroem"
	case Fourier:
		return "fourier"
	}
	return fmt.Sprintf("Approximation(%d)", int(a))
}

// Progress reports the state of a fit to Config.Progress.
type Progress struct {
	// Iteration counts SMO steps (exact) or SGD epochs (approximations).
	Iteration int
	// Objective is the dual objective ½αᵀQα (exact) or the primal
	// objective of the linear one-class SVM on the mapped rows.
	Objective float64
	// Gap is the maximal violating pair gap of the exact solver; it falls
	// below Tol at convergence. NaN for the approximations.
	Gap float64
}

// Config sets up a one-class SVM. The zero value gives scikit-learn's
// OneClassSVM defaults: ν = 0.5, RBF kernel, γ = 'scale', Degree 3, Coef0 0,
// Tol 1e-3, 200 MiB of kernel cache, no iteration limit.
type Config struct {
	// Nu is ν in (0, 1]: an upper bound on the fraction of training rows
	// outside the boundary and a lower bound on the fraction of support
	// vectors. 0 means 0.5.
	Nu float64
	// Kernel is the kernel function; the zero value is RBF.
	Kernel Kernel
	// Gamma is γ of the RBF, Poly and Sigmoid kernels, > 0. 0 means
	// scikit-learn's 'scale', 1/(d·Var(X)) with the variance taken over
	// every value of the (standardised, if asked) training matrix, and 1
	// when that variance is 0. For scikit-learn's 'auto', 1/d, pass
	// AutoGamma(d).
	Gamma float64
	// Degree is the degree of the Poly kernel; 0 means 3.
	Degree int
	// Coef0 is the constant term of the Poly and Sigmoid kernels.
	Coef0 float64
	// Tol is the stopping tolerance of the exact solver: it stops when the
	// maximal violating pair gap is below Tol. 0 means 1e-3.
	Tol float64
	// CacheMiB is the size of the kernel-row cache of the exact solver in
	// MiB (rows are float32, as libsvm's); 0 means 200. It is raised to at
	// least two rows.
	CacheMiB int
	// MaxIter bounds the SMO iterations; 0 means no bound (SMO with this
	// working-set selection always terminates). When a bound is reached
	// the model says so (Model.Converged is false) instead of failing.
	MaxIter int
	// Workers bounds the goroutines computing kernel rows in Fit and
	// scoring in ScoreBatch; 0 means runtime.GOMAXPROCS(0). Results are
	// bit-identical for any value.
	Workers int
	// Standardize z-scores every column with the training mean and
	// population standard deviation (scikit-learn's StandardScaler) before
	// anything else; new samples are scaled the same way.
	Standardize bool
	// Progress, if set, is called from the fitting goroutine every
	// min(n, 1000) SMO iterations and once at the end (exact), or after
	// every epoch (approximations).
	Progress func(Progress)

	// Approximation selects the exact solver (the zero value) or a
	// scalable approximation for hundreds of thousands of rows; the
	// approximations support the RBF kernel only.
	Approximation Approximation
	// Components is the number of features of an approximation; 0 means
	// 300.
	Components int
	// Epochs is the number of SGD passes over the training rows of an
	// approximation; 0 means 10.
	Epochs int
	// TrainRows bounds the rows an approximation trains its SGD on: when
	// the data has more, that many are drawn at random (the feature map and
	// scores still cover every row). It bounds the memory of the mapped
	// rows to TrainRows·Components float32 values. 0 means 50,000.
	TrainRows int
	// Seed makes an approximation reproducible (landmarks, random
	// features and the SGD order). The exact solver is deterministic.
	Seed uint64
}

// AutoGamma returns scikit-learn's gamma='auto' for d features, 1/d.
func AutoGamma(d int) float64 {
	if d < 1 {
		return 1
	}
	return 1 / float64(d)
}

const (
	defaultNu         = 0.5
	defaultDegree     = 3
	defaultTol        = 1e-3
	defaultCacheMiB   = 200
	defaultComponents = 300
	defaultEpochs     = 10
	defaultTrainRows  = 50000
	maxDegree         = 1 << 10
)

// resolve fills defaults and checks every field that does not depend on the
// data.
func resolve(cfg Config) (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return cfg, check.Errorf(pkg, ErrConfig, format, args...)
	}
	if cfg.Nu == 0 {
		cfg.Nu = defaultNu
	}
	if math.IsNaN(cfg.Nu) || cfg.Nu <= 0 || cfg.Nu > 1 {
		return bad("Nu is %v, want a value in (0, 1] (or 0 for 0.5)", cfg.Nu)
	}
	if cfg.Kernel < RBF || cfg.Kernel > Sigmoid {
		return bad("unknown Kernel %d", int(cfg.Kernel))
	}
	if math.IsNaN(cfg.Gamma) || math.IsInf(cfg.Gamma, 0) || cfg.Gamma < 0 {
		return bad("Gamma is %v, want > 0 (or 0 for 'scale'; AutoGamma(d) for 'auto')", cfg.Gamma)
	}
	if cfg.Degree == 0 {
		cfg.Degree = defaultDegree
	}
	if cfg.Degree < 0 || cfg.Degree > maxDegree {
		return bad("Degree is %d, want 1 to %d (or 0 for 3)", cfg.Degree, maxDegree)
	}
	if math.IsNaN(cfg.Coef0) || math.IsInf(cfg.Coef0, 0) {
		return bad("Coef0 is %v, want a finite value", cfg.Coef0)
	}
	if cfg.Tol == 0 {
		cfg.Tol = defaultTol
	}
	if math.IsNaN(cfg.Tol) || math.IsInf(cfg.Tol, 0) || cfg.Tol < 0 {
		return bad("Tol is %v, want > 0 (or 0 for 1e-3)", cfg.Tol)
	}
	if cfg.CacheMiB == 0 {
		cfg.CacheMiB = defaultCacheMiB
	}
	if cfg.CacheMiB < 0 || cfg.CacheMiB > 1<<30 {
		return bad("CacheMiB is %d, want > 0 (or 0 for 200)", cfg.CacheMiB)
	}
	if cfg.MaxIter < 0 {
		return bad("MaxIter is %d, want ≥ 0 (0: no limit)", cfg.MaxIter)
	}
	cfg.Workers = parallel.Workers(cfg.Workers)
	if cfg.Approximation < Exact || cfg.Approximation > Fourier {
		return bad("unknown Approximation %d", int(cfg.Approximation))
	}
	if cfg.Approximation != Exact {
		if cfg.Kernel != RBF {
			return bad("Approximation %v needs the RBF kernel, got %v", cfg.Approximation, cfg.Kernel)
		}
		if cfg.Components == 0 {
			cfg.Components = defaultComponents
		}
		if cfg.Components < 1 || cfg.Components > 1<<16 {
			return bad("Components is %d, want 1 to %d (or 0 for 300)", cfg.Components, 1<<16)
		}
		if cfg.Epochs == 0 {
			cfg.Epochs = defaultEpochs
		}
		if cfg.Epochs < 1 || cfg.Epochs > 1<<20 {
			return bad("Epochs is %d, want ≥ 1 (or 0 for 10)", cfg.Epochs)
		}
		if cfg.TrainRows == 0 {
			cfg.TrainRows = defaultTrainRows
		}
		if cfg.TrainRows < 1 {
			return bad("TrainRows is %d, want ≥ 1 (or 0 for 50,000)", cfg.TrainRows)
		}
	}
	return cfg, nil
}
