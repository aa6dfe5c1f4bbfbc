package timeseries

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimeParser reads event times in the format of Elastic's
// data_description.time_format: "epoch_ms" (milliseconds since the epoch),
// "epoch" (seconds, fractions allowed), or a Java date pattern built from
// yyyy yy MM MMM dd d HH H hh mm ss SSS S... a XXX XX X Z EEE and 'quoted'
// literals; a pattern without a zone is read as UTC. The empty format is
// Elasticsearch's default for dates: RFC 3339 strings (the zone, the
// seconds and the whole time optional, UTC when absent) and epoch
// milliseconds, as numbers or strings of digits.
type TimeParser struct {
	format string
	layout string // Go layout for patterns
}

// NewTimeParser returns a parser for the format.
func NewTimeParser(format string) (*TimeParser, error) {
	p := &TimeParser{format: format}
	switch format {
	case "", "epoch_ms", "epoch":
		return p, nil
	}
	l, err := javaLayout(format)
	if err != nil {
		return nil, err
	}
	p.layout = l
	return p, nil
}

func checkTimeFormat(format, at string) error {
	if _, err := NewTimeParser(format); err != nil {
		return configErr("%s: %v", at, err)
	}
	return nil
}

// ParseString reads a time held as a string (numbers in strings are read as
// the epoch formats say).
func (p *TimeParser) ParseString(s string) (time.Time, error) {
	switch p.format {
	case "":
		// Elasticsearch's default for dates: strict_date_optional_time
		// (zone optional, UTC when absent; the time optional) or
		// epoch_millis.
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
		for _, l := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.Parse(l, s); err == nil {
				return t, nil
			}
		}
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			return p.ParseNumber(float64(ms))
		}
		return time.Time{}, fmt.Errorf("time %q is not RFC 3339 (or an ISO date, or epoch milliseconds)", s)
	case "epoch_ms", "epoch":
		var f float64
		if _, err := fmt.Sscan(s, &f); err != nil {
			return time.Time{}, fmt.Errorf("time %q is not a number (%s)", s, p.format)
		}
		return p.ParseNumber(f)
	}
	t, err := time.Parse(p.layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q does not match %q", s, p.format)
	}
	return t, nil
}

// ParseNumber reads a time held as a number: milliseconds for "epoch_ms" and
// the empty format, seconds for "epoch".
func (p *TimeParser) ParseNumber(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e17 {
		return time.Time{}, fmt.Errorf("time %v out of range", f)
	}
	switch p.format {
	case "", "epoch_ms":
		ms := math.Floor(f)
		return time.UnixMilli(int64(ms)).Add(time.Duration((f - ms) * 1e6)).UTC(), nil
	case "epoch":
		s := math.Floor(f)
		return time.Unix(int64(s), int64((f-s)*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("time %v is a number, format %q wants a string", f, p.format)
}

// javaLayout translates a Java DateTimeFormatter pattern to a Go layout.
func javaLayout(pat string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pat); {
		c := pat[i]
		if c == '\'' {
			j := strings.IndexByte(pat[i+1:], '\'')
			if j < 0 {
				return "", fmt.Errorf("time_format %q: unterminated quote", pat)
			}
			b.WriteString(pat[i+1 : i+1+j])
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(pat) && pat[i+n] == c {
			n++
		}
		tok := pat[i : i+n]
		var g string
		switch {
		case tok == "yyyy" || tok == "uuuu":
			g = "2006"
		case tok == "yy" || tok == "uu":
			g = "06"
		case tok == "MMMM":
			g = "January"
		case tok == "MMM":
			g = "Jan"
		case tok == "MM":
			g = "01"
		case tok == "M":
			g = "1"
		case tok == "dd":
			g = "02"
		case tok == "d":
			g = "2"
		case tok == "HH":
			g = "15"
		case tok == "hh":
			g = "03"
		case tok == "h":
			g = "3"
		case tok == "mm":
			g = "04"
		case tok == "ss":
			g = "05"
		case c == 'S':
			// Go needs the fraction after a separator it can see; Java
			// patterns always put one there.
			g = strings.Repeat("0", n)
		case tok == "a":
			g = "PM"
		case tok == "XXX":
			g = "Z07:00"
		case tok == "XX":
			g = "Z0700"
		case tok == "X":
			g = "Z07"
		case tok == "Z" || tok == "ZZ":
			g = "-0700"
		case tok == "EEE":
			g = "Mon"
		case tok == "EEEE":
			g = "Monday"
		default:
			return "", fmt.Errorf("time_format %q: pattern letters %q are not supported", pat, tok)
		}
		b.WriteString(g)
		i += n
	}
	return b.String(), nil
}
