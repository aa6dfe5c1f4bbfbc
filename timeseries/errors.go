package timeseries

import (
	"errors"

	"github.com/vigil-ml/vigil/internal/check"
)

// Error is the error type every Vigil package returns.
type Error = check.Error

// Sentinel errors; errors.Is matches them on every error the package returns.
var (
	// ErrConfig reports an invalid job: an unknown function or field, an
	// invalid combination, a value out of range.
	ErrConfig = check.ErrConfig
	// ErrCorrupt reports a snapshot that is truncated, corrupt or of an
	// unknown version.
	ErrCorrupt = check.ErrCorrupt
	// ErrUnsupported reports an Elastic setting or function Vigil does not
	// implement (yet); the message names it.
	ErrUnsupported = errors.New("not supported")
	// ErrTime reports an event without a usable timestamp.
	ErrTime = errors.New("bad timestamp")
	// ErrLate reports an event older than the earliest open bucket (beyond
	// Latency): it is counted and dropped.
	ErrLate = errors.New("event too late")
	// ErrNotNumeric reports a numeric field (a metric's field_name or the
	// summary count field) that holds a string (NDJSONReader reads a
	// decimal number written as a string, "1234", as the number, as
	// Elasticsearch coerces it).
	ErrNotNumeric = errors.New("field is not numeric")
	// ErrBadValue reports a NaN or infinite numeric value.
	ErrBadValue = check.ErrNonFinite
)
