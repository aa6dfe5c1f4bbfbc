package score

import "github.com/vigil-ml/vigil/internal/check"

// Errors returned by this package; errors.Is matches them across Vigil.
var (
	ErrEmpty     = check.ErrEmpty
	ErrNonFinite = check.ErrNonFinite
	ErrDimension = check.ErrDimension
	ErrConfig    = check.ErrConfig
	ErrCorrupt   = check.ErrCorrupt
	// ErrNotFitted is returned by a zero Combiner, Normalizer or Threshold
	// (one made neither by its Fit/New function nor by UnmarshalBinary).
	ErrNotFitted = check.ErrNotFitted
)

// Error is the type of every error this package returns; errors.As reads
// its Kind and, where one applies, the Row and Col of the offending value.
type Error = check.Error

func notFitted(what string) error {
	return errorf(ErrNotFitted, "%s is not fitted: use its Fit or New function, or UnmarshalBinary", what)
}

const pkg = "score"

func errorf(kind error, format string, args ...any) error {
	return check.Errorf(pkg, kind, format, args...)
}
