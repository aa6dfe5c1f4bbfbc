package autoencoder

import "github.com/vigil-ml/vigil/internal/check"

const pkg = "autoencoder"

// Errors returned by this package; errors.Is matches them across Vigil.
var (
	ErrEmpty     = check.ErrEmpty
	ErrNonFinite = check.ErrNonFinite
	ErrDimension = check.ErrDimension
	ErrConfig    = check.ErrConfig
	ErrCorrupt   = check.ErrCorrupt
	// ErrNotFitted is returned by every method of a zero Model.
	ErrNotFitted = check.ErrNotFitted
)

// Error is the type of every error this package returns. errors.As gives
// the package, the sentinel kind and, for bad input, the row and column.
type Error = check.Error
