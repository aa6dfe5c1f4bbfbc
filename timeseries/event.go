package timeseries

import (
	"strconv"
	"time"
)

// Event is what a job reads from one input document: its time and named
// fields. Field names are the job's (dotted ECS names such as
// "destination.port" are plain names here). Observe does not retain the
// strings an Event returns, so an implementation may return views into a
// reused buffer.
type Event interface {
	// Time is the event's time; the zero Time is refused with ErrTime.
	Time() time.Time
	// Text returns the value of a categorical field (by, partition,
	// influencer, distinct_count, query fields) and whether it is present.
	Text(field string) (string, bool)
	// Number returns the value of a numeric field and whether the field
	// holds a number. A field that is present but not a number (Text
	// reports it) is refused with ErrNotNumeric.
	Number(field string) (float64, bool)
}

// MapEvent is a flat event: a time and two maps of fields. Text falls back
// to Numbers (formatting the number, which allocates), Number does not fall
// back to Strings.
type MapEvent struct {
	Timestamp time.Time
	Strings   map[string]string
	Numbers   map[string]float64
}

// Time implements Event.
func (e *MapEvent) Time() time.Time { return e.Timestamp }

// Text implements Event.
func (e *MapEvent) Text(field string) (string, bool) {
	if s, ok := e.Strings[field]; ok {
		return s, true
	}
	if v, ok := e.Numbers[field]; ok {
		return strconv.FormatFloat(v, 'g', -1, 64), true
	}
	return "", false
}

// Number implements Event.
func (e *MapEvent) Number(field string) (float64, bool) {
	v, ok := e.Numbers[field]
	return v, ok
}
