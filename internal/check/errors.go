package check

import (
	"errors"
	"fmt"
)

// Sentinel kinds of error. Public packages re-export them so that
// errors.Is(err, lof.ErrDimension) and errors.Is(err, iforest.ErrDimension)
// both hold for the same failure.
var (
	// ErrEmpty reports input with no rows or no columns.
	ErrEmpty = errors.New("empty input")
	// ErrNonFinite reports a NaN or ±Inf value in the input, or a finite
	// value too large for the detector's arithmetic.
	ErrNonFinite = errors.New("non-finite value")
	// ErrDimension reports input whose width does not match the model.
	ErrDimension = errors.New("dimension mismatch")
	// ErrConfig reports an invalid configuration value.
	ErrConfig = errors.New("invalid configuration")
	// ErrCorrupt reports model bytes that are truncated, corrupt or of an
	// unknown format or version, or that decode to a model Fit cannot
	// produce.
	ErrCorrupt = errors.New("corrupt or truncated data")
	// ErrNotFitted reports a method called on a model that was neither
	// returned by Fit nor filled by UnmarshalBinary (a zero value).
	ErrNotFitted = errors.New("model is not fitted")
)

// Error is the error every Vigil package returns: a sentinel Kind raised by
// package Pkg, with the offending row and column of the input where there is
// one. errors.Is matches Kind; errors.As gives the position:
//
//	var e *check.Error // iforest.Error, knn.Error, ... are the same type
//	if errors.As(err, &e) && e.Row >= 0 { ... }
type Error struct {
	// Pkg names the package that returned the error ("knn").
	Pkg string
	// Kind is one of the sentinels above.
	Kind error
	// Row and Col locate the offending value in the input: Row is the
	// matrix row (0 for a single sample), Col the feature. Either is -1
	// where it does not apply.
	Row, Col int
	// Msg is the human-readable detail, without the package prefix.
	Msg string
}

func (e *Error) Error() string { return e.Pkg + ": " + e.Msg }

// Unwrap returns the sentinel kind so that errors.Is matches it.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of the given kind with a formatted message and no
// position (Row and Col are -1).
func Errorf(pkg string, kind error, format string, args ...any) error {
	return &Error{Pkg: pkg, Kind: kind, Row: -1, Col: -1, Msg: fmt.Sprintf(format, args...)}
}

// ErrorAt is Errorf for a value at row, col of the input (-1 for either
// where it does not apply).
func ErrorAt(pkg string, kind error, row, col int, format string, args ...any) error {
	return &Error{Pkg: pkg, Kind: kind, Row: row, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// NotFitted returns the ErrNotFitted error of package pkg.
func NotFitted(pkg string) error {
	return &Error{Pkg: pkg, Kind: ErrNotFitted, Row: -1, Col: -1, Msg: "model is not fitted: use Fit or UnmarshalBinary"}
}
