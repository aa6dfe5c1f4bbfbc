package score

import "github.com/vigil-ml/vigil/internal/check"

// Errors returned by this package; errors.Is matches them across Vigil.
var (
	ErrEmpty     = check.ErrEmpty
	ErrNonFinite = check.ErrNonFinite
	ErrDimension = check.ErrDimension
	ErrConfig    = check.ErrConfig
	ErrCorrupt   = check.ErrCorrupt
)

const pkg = "score"

func errorf(kind error, format string, args ...any) error {
	return check.Errorf(pkg, kind, format, args...)
}
