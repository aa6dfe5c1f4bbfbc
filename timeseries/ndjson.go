package timeseries

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fastjson"
)

// NDJSONReader reads events from newline-delimited JSON documents, such as
// Elasticsearch hits or Beats output. Field names are dotted (ECS): a name
// "destination.port" is found as a literal dotted key or as nested objects
// ({"destination":{"port":22}}), or any mix. The time is read from the job's
// TimeField in its TimeFormat. Only the fields the job reads are extracted.
type NDJSONReader struct {
	r      *bufio.Reader
	p      fastjson.Parser
	tp     *TimeParser
	tfield string
	line   int
	buf    []byte
	ev     ndEvent
}

// LineError is a bad input line: its 1-based number and what was wrong.
// Reading continues with the next line.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

// ErrJSON reports a line that is not a JSON object.
var ErrJSON = errors.New("malformed JSON")

// maxLine bounds a line's length.
const maxLine = 16 << 20

type ndSlot struct {
	name  string
	kind  uint8 // 0 absent, 1 string, 2 number, 3 boolean, 4 several values, 5 an object
	str   string
	num   float64
	buf   []byte
	multi bool     // read only by the query, so it may hold an array of values
	probe bool     // the query asks if it exists: dotted keys below it count
	vals  []string // kind 4
}

type ndEvent struct {
	t     time.Time
	slots []ndSlot
}

func (e *ndEvent) Time() time.Time { return e.t }

func (e *ndEvent) find(f string) *ndSlot {
	for i := range e.slots {
		if e.slots[i].name == f {
			return &e.slots[i]
		}
	}
	return nil
}

func (e *ndEvent) Text(f string) (string, bool) {
	s := e.find(f)
	if s == nil || s.kind == 0 || s.kind == 5 {
		return "", false
	}
	return s.str, true
}

// textValues returns the values of a multi-valued field, or none for an
// object (which exists has found), and true; false for other fields. The
// datafeed query matches a field if any of its values does, as
// Elasticsearch.
func (e *ndEvent) textValues(f string) ([]string, bool) {
	switch s := e.find(f); {
	case s == nil:
	case s.kind == 4:
		return s.vals, true
	case s.kind == 5:
		return nil, true
	}
	return nil, false
}

func (e *ndEvent) Number(f string) (float64, bool) {
	s := e.find(f)
	if s == nil {
		return 0, false
	}
	switch s.kind {
	case 2:
		return s.num, true
	case 1:
		// A decimal number written as a string ("1234", as shippers'
		// dissect and grok output) is a number, as Elasticsearch coerces
		// it on a numeric field and Elastic's ML reads it; any other
		// string is not.
		return numericString(s.str)
	}
	return 0, false
}

// numericString parses a finite decimal number, refusing what
// strconv.ParseFloat reads but Elasticsearch does not (hex, underscores,
// Inf, NaN).
func numericString(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return 0, false
		}
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false
	}
	return x, true
}

// NewNDJSONReader reads events for the job from r; fields lists the event
// fields to extract (Engine.Fields).
func NewNDJSONReader(r io.Reader, job Job, fields []string) (*NDJSONReader, error) {
	c := job.withDefaults()
	tp, err := NewTimeParser(c.TimeFormat)
	if err != nil {
		return nil, configErr("data_description.time_format: %v", err)
	}
	rd := &NDJSONReader{r: bufio.NewReaderSize(r, 1<<20), tp: tp, tfield: c.TimeField}
	analysed := map[string]bool{c.SummaryCountField: true}
	for _, d := range c.Detectors {
		analysed[d.FieldName], analysed[d.ByFieldName], analysed[d.OverFieldName], analysed[d.PartitionFieldName] = true, true, true, true
	}
	for _, f := range c.Influencers {
		analysed[f] = true
	}
	exists := map[string]bool{}
	var walk func(q *Query)
	walk = func(q *Query) {
		if q.kind == qExists {
			exists[q.field] = true
		}
		for _, l := range [][]*Query{q.must, q.should, q.mustNot} {
			for _, c := range l {
				walk(c)
			}
		}
	}
	if c.Query != nil {
		walk(c.Query)
	}
	for _, f := range fields {
		if f != c.TimeField {
			rd.ev.slots = append(rd.ev.slots, ndSlot{name: f, multi: !analysed[f], probe: !analysed[f] && exists[f]})
		}
	}
	return rd, nil
}

// Line returns the number of the line last read.
func (rd *NDJSONReader) Line() int { return rd.line }

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// lookup finds a dotted field name as literal keys, nested objects or both.
func lookup(o *fastjson.Object, name string) *fastjson.Value {
	if v := o.Get(name); v != nil {
		return v
	}
	for i := 0; i < len(name); i++ {
		if name[i] != '.' {
			continue
		}
		if sub := o.Get(name[:i]); sub != nil && sub.Type() == fastjson.TypeObject {
			so, _ := sub.Object()
			if v := lookup(so, name[i+1:]); v != nil {
				return v
			}
		}
	}
	return nil
}

// Next returns the next event. Blank lines are skipped. A bad line returns a
// *LineError (malformed JSON, a missing or unparseable time, an array or
// object where a value is expected); io.EOF ends the input. The Event is
// valid until the next call.
func (rd *NDJSONReader) Next() (Event, error) {
	for {
		line, err := rd.readLine()
		if err != nil {
			return nil, err
		}
		rd.line++
		if len(trimSpace(line)) == 0 {
			continue
		}
		ev, err := rd.decode(line)
		if err != nil {
			return nil, &LineError{Line: rd.line, Err: err}
		}
		return ev, nil
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

func (rd *NDJSONReader) readLine() ([]byte, error) {
	line, err := rd.r.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(line) > 0) {
		return line, nil
	}
	if err != bufio.ErrBufferFull {
		return nil, err
	}
	rd.buf = append(rd.buf[:0], line...)
	for {
		line, err = rd.r.ReadSlice('\n')
		if len(rd.buf)+len(line) > maxLine {
			// Skip the rest of an overlong line and report it.
			for err == bufio.ErrBufferFull {
				_, err = rd.r.ReadSlice('\n')
			}
			rd.buf = append(rd.buf[:0], "{overlong"...)
			return rd.buf, nil
		}
		rd.buf = append(rd.buf, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		return rd.buf, nil
	}
}

// hasBelow reports whether the document holds a field under the dotted
// name, as literal dotted keys ("destination.geo.country_name" is under
// "destination"), nested objects or a mix.
func hasBelow(o *fastjson.Object, name string) bool {
	found := false
	o.Visit(func(k []byte, v *fastjson.Value) {
		if found || len(k) <= len(name) && !(len(k) < len(name) && name[len(k)] == '.') {
			return
		}
		key := b2s(k)
		switch {
		case len(key) > len(name) && key[len(name)] == '.' && key[:len(name)] == name:
			found = v.Type() != fastjson.TypeNull
		case len(key) < len(name) && name[:len(key)] == key && v.Type() == fastjson.TypeObject:
			so, _ := v.Object()
			found = hasBelow(so, name[len(key)+1:])
		}
	})
	return found
}

// setValues keeps the values of an array for the query.
func (s *ndSlot) setValues(a []*fastjson.Value) error {
	s.vals = s.vals[:0]
	s.buf = s.buf[:0]
	var ends []int
	for _, x := range a {
		switch x.Type() {
		case fastjson.TypeString:
			s.buf = append(s.buf, x.GetStringBytes()...)
		case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
			s.buf = x.MarshalTo(s.buf)
		case fastjson.TypeNull:
			continue
		default:
			return fmt.Errorf("field %q holds an array with %s; only strings, numbers and booleans are read", s.name, x.Type())
		}
		ends = append(ends, len(s.buf))
	}
	start := 0
	for _, e := range ends { // views into buf, taken once it no longer grows
		s.vals = append(s.vals, b2s(s.buf[start:e]))
		start = e
	}
	if len(s.vals) > 0 {
		s.kind, s.str = 4, s.vals[0]
	}
	return nil
}

func (rd *NDJSONReader) decode(line []byte) (*ndEvent, error) {
	v, err := rd.p.ParseBytes(line)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrJSON, err)
	}
	o, err := v.Object()
	if err != nil {
		return nil, fmt.Errorf("%w: want an object, got %s", ErrJSON, v.Type())
	}
	ev := &rd.ev
	tv := lookup(o, rd.tfield)
	if tv == nil {
		return nil, fmt.Errorf("%w: no %q field", ErrTime, rd.tfield)
	}
	switch tv.Type() {
	case fastjson.TypeString:
		b, _ := tv.StringBytes()
		ev.t, err = rd.tp.ParseString(b2s(b))
	case fastjson.TypeNumber:
		f, _ := tv.Float64()
		ev.t, err = rd.tp.ParseNumber(f)
	default:
		err = fmt.Errorf("holds %s", tv.Type())
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %q %v", ErrTime, rd.tfield, err)
	}
	for i := range ev.slots {
		s := &ev.slots[i]
		s.kind = 0
		x := lookup(o, s.name)
		if x == nil {
			if s.probe && hasBelow(o, s.name) {
				s.kind, s.str = 5, ""
			}
			continue
		}
		if x.Type() == fastjson.TypeArray { // as Elasticsearch: [] is no value, [v] is v
			a, _ := x.Array()
			if len(a) == 0 {
				continue
			}
			if len(a) == 1 {
				x = a[0]
			} else if s.multi {
				if err := s.setValues(a); err != nil {
					return nil, err
				}
				continue
			} else {
				return nil, fmt.Errorf("field %q holds %d values; only fields the datafeed query alone reads may hold several", s.name, len(a))
			}
		}
		switch x.Type() {
		case fastjson.TypeString:
			b, _ := x.StringBytes()
			s.kind, s.str = 1, b2s(b)
		case fastjson.TypeNumber:
			s.buf = x.MarshalTo(s.buf[:0])
			s.num, _ = x.Float64()
			s.kind, s.str = 2, b2s(s.buf)
		case fastjson.TypeTrue, fastjson.TypeFalse:
			s.kind, s.str = 3, x.Type().String()
		case fastjson.TypeNull:
		case fastjson.TypeObject:
			if !s.multi {
				return nil, fmt.Errorf("field %q holds an object; only strings, numbers, booleans and one-element arrays of them are analysed", s.name)
			}
			s.kind, s.str = 5, "" // for a query's exists on an object field (ECS "destination")
		default:
			return nil, fmt.Errorf("field %q holds %s; only strings, numbers, booleans and one-element arrays of them are analysed", s.name, x.Type())
		}
	}
	return ev, nil
}
