package timeseries

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/vigil-ml/vigil/internal/check"
)

// Query is the subset of Elastic's Query DSL that filters single events:
// match_all, match_none, term, terms, range, exists, prefix, wildcard,
// match and match_phrase, query_string of one term on one field (what
// Kibana writes for a KQL wildcard), and bool (must, filter, should,
// must_not, minimum_should_match). Fields are read as ECS keyword fields: match and
// match_phrase match the whole value, as Elasticsearch does on a keyword
// field, and are refused on ECS text fields (message, error.message,
// error.stack_trace, *.text), whose analysis Vigil does not reproduce. On
// ECS ip fields (names ending in .ip) term and terms take CIDR blocks and
// range compares addresses, as Elasticsearch's ip type.
// Build one with ParseQuery; the package doc lists what else is refused.
type Query struct {
	kind     queryKind
	field    string
	values   []qvalue // term, terms
	lo, hi   qvalue   // range bounds (set flags below)
	hasLo    bool
	hasHi    bool
	loIncl   bool
	hiIncl   bool
	must     []*Query // must and filter
	should   []*Query
	mustNot  []*Query
	minMatch int
	ip       bool   // an ECS ip field: CIDR blocks and address order
	pattern  string // prefix, wildcard
	fold     bool   // case_insensitive (term, prefix, wildcard)
	onTime   bool   // a range or exists on the job's time field: tests Event.Time
	loT, hiT time.Time
	src      []byte // the JSON it was parsed from, for snapshots
}

type queryKind uint8

const (
	qMatchAll queryKind = iota
	qMatchNone
	qTerm
	qRange
	qExists
	qBool
	qPrefix
	qWildcard
)

type qvalue struct {
	s     string
	f     float64
	isNum bool
	pfx   netip.Prefix // the address or CIDR block, on ip fields
	isIP  bool
}

// ParseQuery parses a Query DSL object (the value of datafeed_config.query).
func ParseQuery(data []byte) (*Query, error) {
	v, err := fastjson.ParseBytes(data)
	if err != nil {
		return nil, configErr("datafeed_config.query: %v", err)
	}
	q, err := parseQuery(v, "datafeed_config.query")
	if err != nil {
		return nil, err
	}
	q.src = v.MarshalTo(nil)
	return q, nil
}

func qerr(at, format string, args ...any) error {
	return configErr("%s: %s", at, fmt.Sprintf(format, args...))
}

func parseQuery(v *fastjson.Value, at string) (*Query, error) {
	o, err := v.Object()
	if err != nil {
		return nil, qerr(at, "want an object, got %s", v.Type())
	}
	if o.Len() != 1 {
		return nil, qerr(at, "want exactly one query clause, got %d", o.Len())
	}
	var q *Query
	o.Visit(func(k []byte, val *fastjson.Value) {
		key := string(k)
		here := at + "." + key
		switch key {
		case "match_all":
			q, err = &Query{kind: qMatchAll}, onlyBoost(val, here)
		case "match_none":
			q, err = &Query{kind: qMatchNone}, onlyBoost(val, here)
		case "term":
			q, err = parseTerm(val, here)
		case "terms":
			q, err = parseTerms(val, here)
		case "range":
			q, err = parseRange(val, here)
		case "exists":
			q, err = parseExists(val, here)
		case "bool":
			q, err = parseBool(val, here)
		case "match", "match_phrase":
			q, err = parseMatch(val, here, key)
		case "prefix", "wildcard":
			q, err = parsePattern(val, here, key)
		case "query_string":
			q, err = parseQueryString(val, here)
		default:
			err = check.Errorf(pkg, ErrUnsupported, "%s: query type %q is not supported (term, terms, range, exists, prefix, wildcard, match, match_phrase, match_all, match_none, bool are)", here, key)
		}
	})
	if err == nil && q != nil && (q.kind == qTerm || q.kind == qRange) && ipField(q.field) {
		q.prepIP()
	}
	return q, err
}

// ipField reports the ECS fields of type ip (source.ip, host.ip,
// related.ip, client.nat.ip, ...), on which Elasticsearch matches a term
// "10.0.0.0/8" against the whole block and orders a range by address.
func ipField(f string) bool { return f == "ip" || strings.HasSuffix(f, ".ip") }

func (q *Query) prepIP() {
	q.ip = true
	set := func(v *qvalue) {
		if strings.IndexByte(v.s, '/') >= 0 {
			if p, err := netip.ParsePrefix(v.s); err == nil {
				v.pfx, v.isIP = p.Masked(), true
			}
			return
		}
		if a, err := netip.ParseAddr(v.s); err == nil {
			a = a.Unmap()
			v.pfx, v.isIP = netip.PrefixFrom(a, a.BitLen()), true
		}
	}
	for i := range q.values {
		set(&q.values[i])
	}
	set(&q.lo)
	set(&q.hi)
}

// ipTerm reports whether s is an address inside one of the term's blocks.
func (q *Query) ipTerm(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for i := range q.values {
		if q.values[i].isIP && q.values[i].pfx.Contains(a) {
			return true
		}
	}
	return false
}

func onlyBoost(v *fastjson.Value, at string) error {
	o, err := v.Object()
	if err != nil {
		return qerr(at, "want an object")
	}
	var bad error
	o.Visit(func(k []byte, _ *fastjson.Value) {
		if string(k) != "boost" && string(k) != "_name" && bad == nil {
			bad = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported", at, k)
		}
	})
	return bad
}

func scalar(v *fastjson.Value, at string) (qvalue, error) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		s := string(b)
		f, err := strconv.ParseFloat(s, 64)
		return qvalue{s: s, f: f, isNum: err == nil}, nil
	case fastjson.TypeNumber:
		f, _ := v.Float64()
		return qvalue{s: string(v.MarshalTo(nil)), f: f, isNum: true}, nil
	case fastjson.TypeTrue:
		return qvalue{s: "true"}, nil
	case fastjson.TypeFalse:
		return qvalue{s: "false"}, nil
	}
	return qvalue{}, qerr(at, "want a string, number or boolean, got %s", v.Type())
}

// oneField returns the single field of a {field: spec} clause.
func oneField(v *fastjson.Value, at string, allowed ...string) (string, *fastjson.Value, error) {
	o, err := v.Object()
	if err != nil {
		return "", nil, qerr(at, "want an object")
	}
	var field string
	var spec *fastjson.Value
	var bad error
	o.Visit(func(k []byte, val *fastjson.Value) {
		key := string(k)
		for _, a := range allowed {
			if key == a {
				return
			}
		}
		if key == "boost" || key == "_name" { // beside the field in term and match shorthand
			return
		}
		if field != "" && bad == nil {
			bad = qerr(at, "want one field, got %q and %q", field, key)
		}
		field, spec = key, val
	})
	if bad != nil {
		return "", nil, bad
	}
	if field == "" {
		return "", nil, qerr(at, "names no field")
	}
	return field, spec, nil
}

func parseTerm(v *fastjson.Value, at string) (*Query, error) {
	field, spec, err := oneField(v, at)
	if err != nil {
		return nil, err
	}
	here := at + "." + field
	var fold bool
	if spec.Type() == fastjson.TypeObject {
		o, _ := spec.Object()
		var val *fastjson.Value
		o.Visit(func(k []byte, x *fastjson.Value) {
			if err != nil {
				return
			}
			switch string(k) {
			case "value":
				val = x
			case "boost", "_name":
			case "case_insensitive":
				fold, err = boolOpt(x, here+".case_insensitive")
			default:
				if err == nil {
					err = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported", here, k)
				}
			}
		})
		if err != nil {
			return nil, err
		}
		if val == nil {
			return nil, qerr(here, "missing value")
		}
		spec = val
	}
	s, err := scalar(spec, here)
	if err != nil {
		return nil, err
	}
	return &Query{kind: qTerm, field: field, values: []qvalue{s}, fold: fold}, nil
}

func boolOpt(x *fastjson.Value, at string) (bool, error) {
	b, err := x.Bool()
	if err != nil {
		return false, qerr(at, "want true or false, got %s", x.Type())
	}
	return b, nil
}

// ecsText reports the ECS fields mapped as text, on which Elasticsearch's
// match analyses the value into words (Vigil matches whole values only).
func ecsText(field string) bool {
	switch field {
	case "message", "error.message", "error.stack_trace":
		return true
	}
	return strings.HasSuffix(field, ".text")
}

// parseMatch reads match and match_phrase as Elasticsearch runs them on a
// keyword field: the keyword analyser makes the whole query one token, so
// the query matches values equal to it and operator, slop and
// zero_terms_query change nothing. Options that would (analyzer,
// fuzziness, ...) are refused.
func parseMatch(v *fastjson.Value, at, kind string) (*Query, error) {
	field, spec, err := oneField(v, at)
	if err != nil {
		return nil, err
	}
	here := at + "." + field
	if ecsText(field) {
		return nil, check.Errorf(pkg, ErrUnsupported, "%s: %s on the ECS text field %q is not supported (Vigil matches whole values, as on keyword fields)", here, kind, field)
	}
	if spec.Type() == fastjson.TypeObject {
		o, _ := spec.Object()
		var val *fastjson.Value
		o.Visit(func(k []byte, x *fastjson.Value) {
			if err != nil {
				return
			}
			switch key := string(k); key {
			case "query":
				val = x
			case "boost", "_name", "operator", "zero_terms_query", "lenient", "auto_generate_synonyms_phrase_query":
			case "slop":
				if kind != "match_phrase" {
					err = check.Errorf(pkg, ErrUnsupported, "%s.slop is not a match option", here)
				}
			default:
				err = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported (Vigil matches whole values, as on keyword fields)", here, key)
			}
		})
		if err != nil {
			return nil, err
		}
		if val == nil {
			return nil, qerr(here, "missing query")
		}
		spec = val
	}
	s, err := scalar(spec, here)
	if err != nil {
		return nil, err
	}
	return &Query{kind: qTerm, field: field, values: []qvalue{s}}, nil
}

// parseQueryString reads the one form of query_string that Kibana writes
// for a KQL wildcard ("process.name : cmd*" becomes {"fields":
// ["process.name"], "query": "cmd*"}) and the like: one field and one
// Lucene term, whose unescaped * and ? are wildcards and whose \ escapes
// the next character. A query with operators, spaces, field prefixes,
// ranges or any other syntax is refused, since Vigil does not parse
// Lucene's query language.
func parseQueryString(v *fastjson.Value, at string) (*Query, error) {
	o, err := v.Object()
	if err != nil {
		return nil, qerr(at, "want an object")
	}
	var field, text string
	var haveText bool
	o.Visit(func(k []byte, x *fastjson.Value) {
		if err != nil {
			return
		}
		switch key := string(k); key {
		case "query":
			b, e := x.StringBytes()
			if e != nil {
				err = qerr(at+".query", "want a string")
			}
			text, haveText = string(b), true
		case "fields":
			arr, _ := x.Array()
			if len(arr) != 1 || arr[0].Type() != fastjson.TypeString {
				err = check.Errorf(pkg, ErrUnsupported, "%s.fields: only one field is supported", at)
				return
			}
			field = string(arr[0].GetStringBytes())
		case "default_field":
			field = string(x.GetStringBytes())
		case "analyze_wildcard", "boost", "_name", "lenient", "auto_generate_synonyms_phrase_query":
		default:
			err = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported", at, key)
		}
	})
	if err != nil {
		return nil, err
	}
	if !haveText || field == "" || field == "*" || strings.ContainsRune(field, '*') {
		return nil, check.Errorf(pkg, ErrUnsupported, "%s: query type \"query_string\" is supported only on one named field (fields or default_field)", at)
	}
	if ecsText(field) {
		return nil, check.Errorf(pkg, ErrUnsupported, "%s: query_string on the ECS text field %q is not supported (Vigil matches whole values)", at, field)
	}
	// One Lucene term: every special character escaped but * and ?.
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' {
			i++
			continue
		}
		if (c == '-' || c == '+') && i > 0 { // inside a term, as Lucene reads them
			continue
		}
		if c <= ' ' || strings.IndexByte(`+-=&|><!(){}[]^"~:/`, c) >= 0 {
			return nil, check.Errorf(pkg, ErrUnsupported, "%s.query %q: query type \"query_string\" is supported for one term (wildcards * ? and \\ escapes), not Lucene's query syntax", at, text)
		}
	}
	if text == "" {
		return nil, qerr(at+".query", "empty")
	}
	if !strings.ContainsAny(text, "*?") { // an exact term, unescaped
		var b strings.Builder
		for i := 0; i < len(text); i++ {
			if text[i] == '\\' && i+1 < len(text) {
				i++
			}
			b.WriteByte(text[i])
		}
		t := b.String()
		f, e := strconv.ParseFloat(t, 64)
		return &Query{kind: qTerm, field: field, values: []qvalue{{s: t, f: f, isNum: e == nil}}}, nil
	}
	return &Query{kind: qWildcard, field: field, pattern: text}, nil
}

// parsePattern reads prefix and wildcard queries ({field: "p"} or {field:
// {value|wildcard: "p", case_insensitive, boost, rewrite}}); wildcard
// patterns use * (any run of characters), ? (one character) and \ escapes.
func parsePattern(v *fastjson.Value, at, kind string) (*Query, error) {
	field, spec, err := oneField(v, at)
	if err != nil {
		return nil, err
	}
	here := at + "." + field
	q := &Query{kind: qPrefix, field: field}
	if kind == "wildcard" {
		q.kind = qWildcard
	}
	if spec.Type() == fastjson.TypeObject {
		o, _ := spec.Object()
		var val *fastjson.Value
		o.Visit(func(k []byte, x *fastjson.Value) {
			if err != nil {
				return
			}
			switch key := string(k); key {
			case "value":
				val = x
			case "wildcard":
				if kind != "wildcard" {
					err = check.Errorf(pkg, ErrUnsupported, "%s.wildcard is not a prefix option", here)
				}
				val = x
			case "case_insensitive":
				q.fold, err = boolOpt(x, here+".case_insensitive")
			case "boost", "_name", "rewrite": // rewrite only changes scoring
			default:
				err = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported", here, key)
			}
		})
		if err != nil {
			return nil, err
		}
		if val == nil {
			return nil, qerr(here, "missing value")
		}
		spec = val
	}
	b, e := spec.StringBytes()
	if e != nil {
		return nil, qerr(here, "want a string, got %s", spec.Type())
	}
	q.pattern = string(b)
	return q, nil
}

func parseTerms(v *fastjson.Value, at string) (*Query, error) {
	field, spec, err := oneField(v, at, "boost", "_name")
	if err != nil {
		return nil, err
	}
	here := at + "." + field
	arr, err := spec.Array()
	if err != nil {
		return nil, check.Errorf(pkg, ErrUnsupported, "%s: want an array of values (terms lookup is not supported)", here)
	}
	q := &Query{kind: qTerm, field: field}
	for i, x := range arr {
		s, err := scalar(x, fmt.Sprintf("%s[%d]", here, i))
		if err != nil {
			return nil, err
		}
		q.values = append(q.values, s)
	}
	return q, nil
}

func parseRange(v *fastjson.Value, at string) (*Query, error) {
	field, spec, err := oneField(v, at)
	if err != nil {
		return nil, err
	}
	here := at + "." + field
	o, err := spec.Object()
	if err != nil {
		return nil, qerr(here, "want an object of bounds")
	}
	q := &Query{kind: qRange, field: field}
	o.Visit(func(k []byte, x *fastjson.Value) {
		if err != nil {
			return
		}
		key := string(k)
		var b qvalue
		switch key {
		case "gt", "gte", "lt", "lte", "from", "to":
			if x.Type() == fastjson.TypeNull {
				return
			}
			b, err = scalar(x, here+"."+key)
		case "boost", "_name":
			return
		case "include_lower", "include_upper":
			return // handled below
		default:
			err = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported (date math, formats and relations are not)", here, key)
			return
		}
		if err != nil {
			return
		}
		if !b.isNum && len(b.s) >= 3 && b.s[:3] == "now" {
			err = check.Errorf(pkg, ErrUnsupported, "%s.%s %q: date math is not supported", here, key, b.s)
			return
		}
		switch key {
		case "gt", "gte", "from":
			q.lo, q.hasLo, q.loIncl = b, true, key != "gt"
		default:
			q.hi, q.hasHi, q.hiIncl = b, true, key != "lt"
		}
	})
	if err != nil {
		return nil, err
	}
	if x := o.Get("include_lower"); x != nil && x.Type() == fastjson.TypeFalse {
		q.loIncl = false
	}
	if x := o.Get("include_upper"); x != nil && x.Type() == fastjson.TypeFalse {
		q.hiIncl = false
	}
	return q, nil
}

func parseExists(v *fastjson.Value, at string) (*Query, error) {
	o, err := v.Object()
	if err != nil {
		return nil, qerr(at, "want an object")
	}
	q := &Query{kind: qExists}
	o.Visit(func(k []byte, x *fastjson.Value) {
		switch string(k) {
		case "field":
			b, e := x.StringBytes()
			if e != nil {
				err = qerr(at+".field", "want a string")
			}
			q.field = string(b)
		case "boost", "_name":
		default:
			if err == nil {
				err = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported", at, k)
			}
		}
	})
	if err == nil && q.field == "" {
		err = qerr(at, "missing field")
	}
	return q, err
}

func parseBool(v *fastjson.Value, at string) (*Query, error) {
	o, err := v.Object()
	if err != nil {
		return nil, qerr(at, "want an object")
	}
	q := &Query{kind: qBool, minMatch: -1}
	o.Visit(func(k []byte, x *fastjson.Value) {
		if err != nil {
			return
		}
		key := string(k)
		var dst *[]*Query
		switch key {
		case "must", "filter":
			dst = &q.must
		case "should":
			dst = &q.should
		case "must_not":
			dst = &q.mustNot
		case "minimum_should_match":
			n, e := x.Int()
			if x.Type() == fastjson.TypeString { // "1" is common; percentages are not supported
				b, _ := x.StringBytes()
				n, e = strconv.Atoi(string(b))
			}
			if e != nil || n < 0 {
				err = check.Errorf(pkg, ErrUnsupported, "%s.minimum_should_match: only a non-negative integer is supported", at)
			}
			q.minMatch = n
			return
		case "boost", "_name":
			return
		default:
			err = check.Errorf(pkg, ErrUnsupported, "%s.%s is not supported", at, key)
			return
		}
		here := at + "." + key
		if x.Type() == fastjson.TypeArray {
			arr, _ := x.Array()
			for i, c := range arr {
				sub, e := parseQuery(c, fmt.Sprintf("%s[%d]", here, i))
				if e != nil {
					err = e
					return
				}
				*dst = append(*dst, sub)
			}
			return
		}
		sub, e := parseQuery(x, here)
		if e != nil {
			err = e
			return
		}
		*dst = append(*dst, sub)
	})
	if err != nil {
		return nil, err
	}
	if q.minMatch < 0 {
		q.minMatch = 0
		if len(q.must) == 0 && len(q.should) > 0 {
			q.minMatch = 1
		}
	}
	return q, nil
}

// Match reports whether the event passes the query.
func (q *Query) Match(ev Event) bool {
	if q.onTime {
		return q.matchTime(ev.Time())
	}
	if q.field != "" {
		if mv, ok := ev.(multiValued); ok {
			if vals, ok := mv.textValues(q.field); ok {
				if q.kind == qExists {
					return true
				}
				for _, v := range vals {
					if q.matchValue(v) {
						return true
					}
				}
				return false
			}
		}
	}
	switch q.kind {
	case qMatchAll:
		return true
	case qMatchNone:
		return false
	case qExists:
		if _, ok := ev.Number(q.field); ok {
			return true
		}
		_, ok := ev.Text(q.field)
		return ok
	case qTerm:
		if f, ok := ev.Number(q.field); ok {
			for i := range q.values {
				if q.values[i].isNum && q.values[i].f == f {
					return true
				}
			}
			return false
		}
		s, ok := ev.Text(q.field)
		if !ok {
			return false
		}
		for i := range q.values {
			if q.values[i].s == s || q.fold && strings.EqualFold(q.values[i].s, s) {
				return true
			}
		}
		return q.ip && q.ipTerm(s)
	case qPrefix:
		s, ok := ev.Text(q.field)
		if !ok {
			return false
		}
		if q.fold {
			return globMatch(q.pattern+"*", s, true, false)
		}
		return strings.HasPrefix(s, q.pattern)
	case qWildcard:
		s, ok := ev.Text(q.field)
		return ok && globMatch(q.pattern, s, q.fold, true)
	case qRange:
		return q.matchRange(ev)
	case qBool:
		for _, c := range q.must {
			if !c.Match(ev) {
				return false
			}
		}
		for _, c := range q.mustNot {
			if c.Match(ev) {
				return false
			}
		}
		if q.minMatch > 0 {
			n := 0
			for _, c := range q.should {
				if c.Match(ev) {
					n++
					if n >= q.minMatch {
						break
					}
				}
			}
			if n < q.minMatch {
				return false
			}
		}
		return true
	}
	return false
}

// withTime returns the query with its clauses on the job's time field bound
// to Event.Time, as Elasticsearch compares a date field: range bounds are
// times in the job's time_format or Elasticsearch's default (RFC 3339 or
// epoch milliseconds); exists always holds. Other clauses on the time field
// are refused. The query itself is not changed; it is returned as it is if
// no clause reads the field.
func (q *Query) withTime(field, format string) (*Query, error) {
	if q == nil || !q.reads(field) {
		return q, nil
	}
	parsers := []*TimeParser{{}}
	if p, err := NewTimeParser(format); err == nil && format != "" {
		parsers = []*TimeParser{p, {}}
	}
	bound := func(v qvalue) (time.Time, error) {
		if v.isNum && strings.IndexFunc(v.s, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
			return parsers[len(parsers)-1].ParseNumber(v.f)
		}
		var err error
		for _, p := range parsers {
			var t time.Time
			if t, err = p.ParseString(v.s); err == nil {
				return t, nil
			}
		}
		return time.Time{}, err
	}
	c := *q
	if c.field == field {
		switch c.kind {
		case qExists:
			c.onTime = true
		case qRange:
			c.onTime = true
			var err error
			if c.hasLo {
				if c.loT, err = bound(c.lo); err != nil {
					return nil, check.Errorf(pkg, ErrUnsupported, "datafeed query: range on the time field %q: bound %q: %v", field, c.lo.s, err)
				}
			}
			if c.hasHi {
				if c.hiT, err = bound(c.hi); err != nil {
					return nil, check.Errorf(pkg, ErrUnsupported, "datafeed query: range on the time field %q: bound %q: %v", field, c.hi.s, err)
				}
			}
		default:
			return nil, check.Errorf(pkg, ErrUnsupported, "datafeed query: only range and exists are supported on the time field %q", field)
		}
		return &c, nil
	}
	for _, l := range []*[]*Query{&c.must, &c.should, &c.mustNot} {
		out := make([]*Query, len(*l))
		for i, sub := range *l {
			b, err := sub.withTime(field, format)
			if err != nil {
				return nil, err
			}
			out[i] = b
		}
		*l = out
	}
	return &c, nil
}

func (q *Query) reads(field string) bool {
	for _, f := range q.Fields() {
		if f == field {
			return true
		}
	}
	return false
}

func (q *Query) matchTime(t time.Time) bool {
	if q.kind == qExists {
		return true
	}
	if q.hasLo {
		if c := t.Compare(q.loT); c < 0 || c == 0 && !q.loIncl {
			return false
		}
	}
	if q.hasHi {
		if c := t.Compare(q.hiT); c > 0 || c == 0 && !q.hiIncl {
			return false
		}
	}
	return true
}

// multiValued is an Event whose fields may hold several values (the NDJSON
// reader's, for fields only the query reads).
type multiValued interface {
	textValues(field string) ([]string, bool)
}

// matchValue matches one of a multi-valued field's values (as text; numbers
// as JSON wrote them).
func (q *Query) matchValue(s string) bool {
	switch q.kind {
	case qExists:
		return true
	case qTerm:
		f, err := strconv.ParseFloat(s, 64)
		for i := range q.values {
			v := &q.values[i]
			if v.s == s || q.fold && strings.EqualFold(v.s, s) || err == nil && v.isNum && v.f == f {
				return true
			}
		}
		return q.ip && q.ipTerm(s)
	case qPrefix:
		if q.fold {
			return globMatch(q.pattern+"*", s, true, false)
		}
		return strings.HasPrefix(s, q.pattern)
	case qWildcard:
		return globMatch(q.pattern, s, q.fold, true)
	case qRange:
		if f, err := strconv.ParseFloat(s, 64); err == nil && (!q.hasLo || q.lo.isNum) && (!q.hasHi || q.hi.isNum) {
			return q.rangeNumber(f)
		}
		return q.rangeText(s)
	}
	return false
}

func (q *Query) rangeNumber(f float64) bool {
	if q.hasLo && (!q.lo.isNum || f < q.lo.f || (f == q.lo.f && !q.loIncl)) {
		return false
	}
	if q.hasHi && (!q.hi.isNum || f > q.hi.f || (f == q.hi.f && !q.hiIncl)) {
		return false
	}
	return true
}

func (q *Query) matchRange(ev Event) bool {
	if f, ok := ev.Number(q.field); ok {
		return q.rangeNumber(f)
	}
	s, ok := ev.Text(q.field)
	if !ok {
		return false
	}
	return q.rangeText(s)
}

func (q *Query) rangeText(s string) bool {
	if q.ip && (!q.hasLo || q.lo.isIP) && (!q.hasHi || q.hi.isIP) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		a = a.Unmap()
		if q.hasLo {
			if c := a.Compare(q.lo.pfx.Addr()); c < 0 || c == 0 && !q.loIncl {
				return false
			}
		}
		if q.hasHi {
			if c := a.Compare(q.hi.pfx.Addr()); c > 0 || c == 0 && !q.hiIncl {
				return false
			}
		}
		return true
	}
	// Strings compare lexically, which orders RFC 3339 times of one zone.
	if q.hasLo && (s < q.lo.s || (s == q.lo.s && !q.loIncl)) {
		return false
	}
	if q.hasHi && (s > q.hi.s || (s == q.hi.s && !q.hiIncl)) {
		return false
	}
	return true
}

// globMatch matches s against a pattern in which * stands for any run of
// characters and ? for one (when wild; \ escapes either), comparing runes
// case-insensitively if fold. It backtracks to the last * only, so it runs
// in O(len(p)·len(s)) at worst and allocates nothing.
func globMatch(p, s string, fold, wild bool) bool {
	eq := func(a, b rune) bool {
		return a == b || fold && unicode.ToLower(a) == unicode.ToLower(b)
	}
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c, w := utf8.DecodeRuneInString(p[pi:])
			switch {
			case c == '*' && (wild || pi == len(p)-1):
				starP, starS = pi+w, si
				pi += w
				continue
			case c == '?' && wild:
				_, sw := utf8.DecodeRuneInString(s[si:])
				pi, si = pi+w, si+sw
				continue
			case c == '\\' && wild && pi+w < len(p):
				c, w2 := utf8.DecodeRuneInString(p[pi+w:])
				if r, sw := utf8.DecodeRuneInString(s[si:]); eq(c, r) {
					pi, si = pi+w+w2, si+sw
					continue
				}
			default:
				if r, sw := utf8.DecodeRuneInString(s[si:]); eq(c, r) {
					pi, si = pi+w, si+sw
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, sw := utf8.DecodeRuneInString(s[starS:])
		starS += sw
		pi, si = starP, starS
	}
	for pi < len(p) && p[pi] == '*' && (wild || pi == len(p)-1) {
		pi++
	}
	return pi == len(p)
}

// Fields lists the fields the query reads, each once.
func (q *Query) Fields() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(*Query)
	walk = func(q *Query) {
		if q.field != "" && !seen[q.field] {
			seen[q.field] = true
			out = append(out, q.field)
		}
		for _, l := range [][]*Query{q.must, q.should, q.mustNot} {
			for _, c := range l {
				walk(c)
			}
		}
	}
	walk(q)
	return out
}
