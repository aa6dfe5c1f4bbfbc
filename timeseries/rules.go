package timeseries

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

// Rule is one of a detector's custom rules (Elastic's custom_rules): when
// every condition holds for a series' bucket and the series is in the
// rule's scope, the rule's actions apply to that series and bucket.
type Rule struct {
	// Actions are "skip_result" (no record is written) and
	// "skip_model_update" (the model does not learn the bucket), alone or
	// both; empty means skip_result, as Elastic.
	Actions []string
	// Scope limits the rule to series whose by, over or partition values
	// are in (or, with Exclude, not in) filter lists. All scopes must hold.
	Scope []RuleScope
	// Conditions on the bucket, combined with AND.
	Conditions []RuleCondition
}

// RuleScope is one entry of a rule's scope: the detector's by, over or
// partition field FieldName must have a value matched by the filter
// FilterID (filter_type include), or not matched (Exclude, filter_type
// exclude).
type RuleScope struct {
	FieldName string
	FilterID  string
	Exclude   bool
}

// RuleCondition is a numeric condition of a rule: AppliesTo (actual,
// typical, diff_from_typical = |actual − typical|, or time = the bucket's
// start in epoch seconds) compared by Operator (gt, gte, lt, lte) with Value.
type RuleCondition struct {
	AppliesTo string
	Operator  string
	Value     float64
}

// Filter is Elastic's filter: a list of items that rule scopes match field
// values against. An item matches a value exactly, or with a leading
// and/or trailing "*" as a suffix, prefix or substring ("*" alone matches
// every value).
type Filter struct {
	ID          string
	Description string
	Items       []string
}

// Limits Elastic puts on filters.
const maxFilterItems = 10000

// ruleState is the Engine's compiled rules and calendars.
type ruleState struct {
	dets     [][]cRule // per detector; nil without rules
	cal      []calSpan // sorted, in ms
	anyCal   bool
	skipUpds []bool // per detector: some rule or calendar may skip the model update
}

type cRule struct {
	skipResult, skipUpdate bool
	scope                  []cScope
	conds                  []RuleCondition
}

type cScope struct {
	role    uint8 // 1 by, 2 over, 3 partition
	exclude bool
	m       *matcher
}

// matcher is a compiled filter.
type matcher struct {
	all                     bool
	exact                   map[string]struct{}
	prefix, suffix, contain []string
}

func compileFilter(items []string) *matcher {
	m := &matcher{exact: map[string]struct{}{}}
	for _, it := range items {
		lead, trail := strings.HasPrefix(it, "*"), strings.HasSuffix(it, "*")
		core := strings.TrimSuffix(strings.TrimPrefix(it, "*"), "*")
		switch {
		case it == "*" || it == "**" || (lead && trail && core == ""):
			m.all = true
		case lead && trail:
			m.contain = append(m.contain, core)
		case lead:
			m.suffix = append(m.suffix, core)
		case trail:
			m.prefix = append(m.prefix, core)
		default:
			m.exact[it] = struct{}{}
		}
	}
	return m
}

func (m *matcher) match(v string) bool {
	if m.all {
		return true
	}
	if _, ok := m.exact[v]; ok {
		return true
	}
	for _, p := range m.prefix {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	for _, s := range m.suffix {
		if strings.HasSuffix(v, s) {
			return true
		}
	}
	for _, c := range m.contain {
		if strings.Contains(v, c) {
			return true
		}
	}
	return false
}

// validateRules checks every detector's rules against the job's filters,
// as Elastic's detector-rule validation does.
func (c *Job) validateRules() error {
	for i, f := range c.Filters {
		at := fmt.Sprintf("filters[%d]", i)
		if f.ID == "" {
			return configErr("%s.filter_id is missing", at)
		}
		for j := 0; j < i; j++ {
			if c.Filters[j].ID == f.ID {
				return configErr("%s.filter_id %q repeats filters[%d]", at, f.ID, j)
			}
		}
		if len(f.Items) > maxFilterItems {
			return configErr("%s: %d items, at most %d", at, len(f.Items), maxFilterItems)
		}
		for k, it := range f.Items {
			if it == "" {
				return configErr("%s.items[%d] is empty", at, k)
			}
		}
	}
	for i := range c.Detectors {
		d := &c.Detectors[i]
		f := functions[d.Function]
		for k, r := range d.Rules {
			at := fmt.Sprintf("analysis_config.detectors[%d].custom_rules[%d]", i, k)
			if len(r.Scope) == 0 && len(r.Conditions) == 0 {
				return configErr("%s: custom rules need a scope or at least one condition", at)
			}
			for a, act := range r.Actions {
				switch act {
				case "skip_result", "skip_model_update":
				case "force_time_shift":
					return check.Errorf(pkg, ErrUnsupported, "%s.actions[%d] %q is not supported by Vigil", at, a, act)
				default:
					return configErr("%s.actions[%d] %q is not one of skip_result, skip_model_update", at, a, act)
				}
			}
			for a, s := range r.Scope {
				sat := fmt.Sprintf("%s.scope.%s", at, s.FieldName)
				if s.FieldName == "" || (s.FieldName != d.ByFieldName && s.FieldName != d.OverFieldName && s.FieldName != d.PartitionFieldName) {
					return configErr("%s: scope field %q must be the detector's by_field_name, over_field_name or partition_field_name", at, s.FieldName)
				}
				for b := 0; b < a; b++ {
					if r.Scope[b].FieldName == s.FieldName {
						return configErr("%s: field %q is scoped twice", at, s.FieldName)
					}
				}
				if s.FilterID == "" {
					return configErr("%s.filter_id is missing", sat)
				}
				if c.filter(s.FilterID) == nil {
					return configErr("%s.filter_id %q is not a known filter (define it in Job.Filters or the job JSON's top-level \"filters\")", sat, s.FilterID)
				}
			}
			for a, cd := range r.Conditions {
				cat := fmt.Sprintf("%s.conditions[%d]", at, a)
				switch cd.AppliesTo {
				case "actual", "typical", "diff_from_typical":
					if f.feat == featRare || f.feat == featFreqRare {
						return configErr("%s.applies_to %q: function %q only supports conditions that apply to time", cat, cd.AppliesTo, d.Function)
					}
				case "time":
				default:
					return configErr("%s.applies_to %q is not one of actual, typical, diff_from_typical, time", cat, cd.AppliesTo)
				}
				switch cd.Operator {
				case "gt", "gte", "lt", "lte":
				default:
					return configErr("%s.operator %q is not one of gt, gte, lt, lte", cat, cd.Operator)
				}
				if math.IsNaN(cd.Value) || math.IsInf(cd.Value, 0) {
					return configErr("%s.value %v is not a finite number", cat, cd.Value)
				}
			}
		}
	}
	return c.validateCalendars()
}

func (c *Job) filter(id string) *Filter {
	for i := range c.Filters {
		if c.Filters[i].ID == id {
			return &c.Filters[i]
		}
	}
	return nil
}

// cloneRules gives the Engine's job its own copies of rules, filters and
// calendars, so that a caller's later edits do not reach a running job.
func (c *Job) cloneRules() {
	for i := range c.Detectors {
		d := &c.Detectors[i]
		if d.Rules == nil {
			continue
		}
		rs := make([]Rule, len(d.Rules))
		for k, r := range d.Rules {
			rs[k] = Rule{Actions: append([]string(nil), r.Actions...), Scope: append([]RuleScope(nil), r.Scope...),
				Conditions: append([]RuleCondition(nil), r.Conditions...)}
		}
		d.Rules = rs
	}
	if c.Filters != nil {
		fs := make([]Filter, len(c.Filters))
		for i, f := range c.Filters {
			fs[i] = Filter{ID: f.ID, Description: f.Description, Items: append([]string(nil), f.Items...)}
		}
		c.Filters = fs
	}
	if c.Calendars != nil {
		cs := make([]Calendar, len(c.Calendars))
		for i, cl := range c.Calendars {
			cs[i] = Calendar{ID: cl.ID, Description: cl.Description, Events: append([]ScheduledEvent(nil), cl.Events...)}
		}
		c.Calendars = cs
	}
}

// initRules compiles the job's rules and calendars; the job is valid.
func (e *Engine) initRules() {
	c := &e.job
	c.cloneRules()
	e.rl = ruleState{}
	matchers := map[string]*matcher{}
	for i := range c.Detectors {
		d := &c.Detectors[i]
		if len(d.Rules) == 0 {
			continue
		}
		if e.rl.dets == nil {
			e.rl.dets = make([][]cRule, len(c.Detectors))
		}
		for _, r := range d.Rules {
			cr := cRule{conds: append([]RuleCondition(nil), r.Conditions...)} // Job() shares the job's slices
			if len(r.Actions) == 0 {
				cr.skipResult = true
			}
			for _, a := range r.Actions {
				cr.skipResult = cr.skipResult || a == "skip_result"
				cr.skipUpdate = cr.skipUpdate || a == "skip_model_update"
			}
			for _, s := range r.Scope {
				m := matchers[s.FilterID]
				if m == nil {
					m = compileFilter(c.filter(s.FilterID).Items)
					matchers[s.FilterID] = m
				}
				cs := cScope{exclude: s.Exclude, m: m}
				switch s.FieldName {
				case d.ByFieldName:
					cs.role = 1
				case d.OverFieldName:
					cs.role = 2
				default:
					cs.role = 3
				}
				cr.scope = append(cr.scope, cs)
			}
			e.rl.dets[i] = append(e.rl.dets[i], cr)
		}
	}
	e.compileCalendars()
	e.refreshOnePass()
}

// refreshOnePass turns off the detectors' one-pass score-and-learn where a
// rule or calendar may have to skip the model update.
func (e *Engine) refreshOnePass() {
	e.rl.skipUpds = make([]bool, len(e.dets))
	for i := range e.dets {
		skip := e.rl.anyCalUpdate()
		if e.rl.dets != nil {
			for _, r := range e.rl.dets[i] {
				skip = skip || r.skipUpdate
			}
		}
		e.rl.skipUpds[i] = skip
		if skip {
			e.dets[i].side0 = false
		}
	}
}

// ruleEffect reports what the detector's rules do to one series' bucket
// starting at startSec (epoch seconds) with the given values. over is
// empty for detectors without over_field_name.
func (e *Engine) ruleEffect(di int, part, by, over string, actual, typical float64, startSec int64) (skipResult, skipUpdate bool) {
	if e.rl.dets == nil {
		return false, false
	}
	for k := range e.rl.dets[di] {
		r := &e.rl.dets[di][k]
		if (!r.skipResult || skipResult) && (!r.skipUpdate || skipUpdate) {
			continue // nothing this rule could add
		}
		if r.applies(part, by, over, actual, typical, startSec) {
			skipResult = skipResult || r.skipResult
			skipUpdate = skipUpdate || r.skipUpdate
		}
	}
	return skipResult, skipUpdate
}

// hasRules reports whether detector di has rules.
func (e *Engine) hasRules(di int) bool { return e.rl.dets != nil && len(e.rl.dets[di]) > 0 }

// rulesNeedValues reports whether some rule of detector di has a
// condition on actual, typical or diff_from_typical.
func (e *Engine) rulesNeedValues(di int) bool {
	if e.rl.dets == nil {
		return false
	}
	for _, r := range e.rl.dets[di] {
		for _, c := range r.conds {
			if c.AppliesTo != "time" {
				return true
			}
		}
	}
	return false
}

func (r *cRule) applies(part, by, over string, actual, typical float64, startSec int64) bool {
	for _, s := range r.scope {
		var v string
		switch s.role {
		case 1:
			v = by
		case 2:
			v = over
		default:
			v = part
		}
		if s.m.match(v) == s.exclude {
			return false
		}
	}
	for _, c := range r.conds {
		var x float64
		switch c.AppliesTo {
		case "actual":
			x = actual
		case "typical":
			x = typical
		case "diff_from_typical":
			x = math.Abs(actual - typical)
		default:
			x = float64(startSec)
		}
		if math.IsNaN(x) {
			return false
		}
		var ok bool
		switch c.Operator {
		case "gt":
			ok = x > c.Value
		case "gte":
			ok = x >= c.Value
		case "lt":
			ok = x < c.Value
		default:
			ok = x <= c.Value
		}
		if !ok {
			return false
		}
	}
	return true
}

// filterRecords drops the records of extension detectors (population,
// rare, time_of_*) that a rule or a scheduled event suppresses; their
// models have learnt the bucket already.
func (e *Engine) filterRecords(recs []Record, startMs int64) []Record {
	calSkip, _ := e.calendarEffect(startMs)
	if !calSkip && e.rl.dets == nil {
		return recs
	}
	out := recs[:0]
	for i := range recs {
		r := &recs[i]
		if calSkip {
			continue
		}
		if skip, _ := e.ruleEffect(r.DetectorIndex, r.PartitionFieldValue, r.ByFieldValue, r.OverFieldValue, r.Actual, r.Typical, startMs/1000); skip {
			continue
		}
		out = append(out, *r)
	}
	return out
}

// Parsing of custom_rules and filters from Elastic's job JSON.

func (p *jparser) customRules(x *fastjson.Value, at string) []Rule {
	arr, err := x.Array()
	if err != nil {
		p.check(configErr("%s: want an array, got %s", at, x.Type()))
		return nil
	}
	var out []Rule
	for i, rv := range arr {
		rat := fmt.Sprintf("%s[%d]", at, i)
		var r Rule
		p.fields(p.obj(rv, rat), rat, map[string]func(*fastjson.Value, string){
			"actions": func(x *fastjson.Value, at string) {
				for k, a := range p.array(x, at) {
					r.Actions = append(r.Actions, strings.ToLower(p.str(a, fmt.Sprintf("%s[%d]", at, k))))
				}
			},
			"scope": func(x *fastjson.Value, at string) {
				o := p.obj(x, at)
				if o == nil {
					return
				}
				o.Visit(func(k []byte, sv *fastjson.Value) {
					field := string(k)
					sat := at + "." + field
					s := RuleScope{FieldName: field}
					p.fields(p.obj(sv, sat), sat, map[string]func(*fastjson.Value, string){
						"filter_id": func(x *fastjson.Value, at string) { s.FilterID = p.str(x, at) },
						"filter_type": func(x *fastjson.Value, at string) {
							switch t := strings.ToLower(p.str(x, at)); t {
							case "include":
							case "exclude":
								s.Exclude = true
							default:
								p.check(configErr("%s %q is not include or exclude", at, t))
							}
						},
					})
					r.Scope = append(r.Scope, s)
				})
				// Visit order is the document's; keep a stable order for snapshots.
				sort.SliceStable(r.Scope, func(a, b int) bool { return r.Scope[a].FieldName < r.Scope[b].FieldName })
			},
			"conditions": func(x *fastjson.Value, at string) {
				for k, cv := range p.array(x, at) {
					cat := fmt.Sprintf("%s[%d]", at, k)
					var c RuleCondition
					seen := false
					p.fields(p.obj(cv, cat), cat, map[string]func(*fastjson.Value, string){
						"applies_to": func(x *fastjson.Value, at string) { c.AppliesTo = strings.ToLower(p.str(x, at)) },
						"operator":   func(x *fastjson.Value, at string) { c.Operator = strings.ToLower(p.str(x, at)) },
						"value":      func(x *fastjson.Value, at string) { c.Value, seen = p.num(x, at), true },
					})
					if !seen {
						p.check(configErr("%s.value is missing", cat))
					}
					r.Conditions = append(r.Conditions, c)
				}
			},
		})
		out = append(out, r)
	}
	return out
}

func (p *jparser) array(x *fastjson.Value, at string) []*fastjson.Value {
	arr, err := x.Array()
	if err != nil {
		p.check(configErr("%s: want an array, got %s", at, x.Type()))
		return nil
	}
	return arr
}

// filters reads the job file's top-level "filters": Elastic's filter
// documents ({filter_id, description, items}) that rule scopes name.
func (p *jparser) filters(x *fastjson.Value, at string, job *Job) {
	for i, fv := range p.array(x, at) {
		fat := fmt.Sprintf("%s[%d]", at, i)
		var f Filter
		p.fields(p.obj(fv, fat), fat, map[string]func(*fastjson.Value, string){
			"filter_id":   func(x *fastjson.Value, at string) { f.ID = p.str(x, at) },
			"description": func(x *fastjson.Value, at string) { f.Description = p.str(x, at) },
			"items": func(x *fastjson.Value, at string) {
				for k, it := range p.array(x, at) {
					f.Items = append(f.Items, p.str(it, fmt.Sprintf("%s[%d]", at, k)))
				}
			},
		})
		job.Filters = append(job.Filters, f)
	}
}

// skips combines the calendar's effect on the closing bucket with the
// series' rules. typical NaN means "not computed": it is predicted only if
// a rule needs it.
func (e *Engine) skips(sr *series, v, typical float64, t int64, calRes, calUpd bool) (skipResult, skipUpdate bool) {
	if !e.hasRules(int(sr.det)) {
		return calRes, calUpd
	}
	di := int(sr.det)
	if math.IsNaN(typical) && e.rulesNeedValues(di) {
		typical, _, _ = sr.model.Predict(e.dets[di].params, t)
	}
	sr2, su2 := e.ruleEffect(di, sr.part, sr.by, "", v, typical, t)
	return calRes || sr2, calUpd || su2
}

// appendRulesConfig writes the job's rules, filters and calendars into a
// snapshot; readRulesConfig reads them back (validated with the job).
func appendRulesConfig(w *codec.Encoder, c *Job) {
	for _, d := range c.Detectors {
		w.Int(len(d.Rules))
		for _, r := range d.Rules {
			w.Int(len(r.Actions))
			for _, a := range r.Actions {
				w.String(a)
			}
			w.Int(len(r.Scope))
			for _, s := range r.Scope {
				w.String(s.FieldName)
				w.String(s.FilterID)
				w.Bool(s.Exclude)
			}
			w.Int(len(r.Conditions))
			for _, cd := range r.Conditions {
				w.String(cd.AppliesTo)
				w.String(cd.Operator)
				w.Float64(cd.Value)
			}
		}
	}
	w.Int(len(c.Filters))
	for _, f := range c.Filters {
		w.String(f.ID)
		w.String(f.Description)
		w.Int(len(f.Items))
		for _, it := range f.Items {
			w.String(it)
		}
	}
	w.Int(len(c.Calendars))
	for _, cl := range c.Calendars {
		w.String(cl.ID)
		w.String(cl.Description)
		w.Int(len(cl.Events))
		for _, ev := range cl.Events {
			w.String(ev.Description)
			w.Int(int(ev.Start.UnixNano()))
			w.Int(int(ev.End.UnixNano()))
			w.Bool(ev.KeepResults)
			w.Bool(ev.UpdateModel)
		}
	}
}

// Counts are bounded by what the input could hold (each element takes at
// least the bytes divided by), so hostile counts cannot make it allocate far
// beyond the snapshot's size.
func readRulesConfig(d *codec.Decoder, c *Job, size int) {
	for i := range c.Detectors {
		nr := d.IntIn("rules", 0, size/24)
		for k := 0; k < nr; k++ {
			var r Rule
			for n := d.IntIn("rule actions", 0, size/8); n > 0; n-- {
				r.Actions = append(r.Actions, d.String())
			}
			for n := d.IntIn("rule scope", 0, size/17); n > 0; n-- {
				r.Scope = append(r.Scope, RuleScope{FieldName: d.String(), FilterID: d.String(), Exclude: d.Bool()})
			}
			for n := d.IntIn("rule conditions", 0, size/24); n > 0; n-- {
				r.Conditions = append(r.Conditions, RuleCondition{AppliesTo: d.String(), Operator: d.String(), Value: d.Float64()})
			}
			c.Detectors[i].Rules = append(c.Detectors[i].Rules, r)
		}
	}
	for n := d.IntIn("filters", 0, size/24); n > 0; n-- {
		f := Filter{ID: d.String(), Description: d.String()}
		for m := d.IntIn("filter items", 0, size/8); m > 0; m-- {
			f.Items = append(f.Items, d.String())
		}
		c.Filters = append(c.Filters, f)
	}
	for n := d.IntIn("calendars", 0, size/24); n > 0; n-- {
		cl := Calendar{ID: d.String(), Description: d.String()}
		for m := d.IntIn("calendar events", 0, size/34); m > 0; m-- {
			ev := ScheduledEvent{Description: d.String()}
			ev.Start = time.Unix(0, int64(d.Int())).UTC()
			ev.End = time.Unix(0, int64(d.Int())).UTC()
			ev.KeepResults, ev.UpdateModel = d.Bool(), d.Bool()
			cl.Events = append(cl.Events, ev)
		}
		c.Calendars = append(c.Calendars, cl)
	}
}

// extSkipsUpdate reports whether a skip_model_update rule of extension
// detector di (population and time_of_*) applies to one key's bucket c;
// typical is computed only if a condition needs it.
func (e *Engine) extSkipsUpdate(di int, xa *xacc, actual float64, typical func() float64, c int64) bool {
	typ := math.NaN()
	if e.rulesNeedValues(di) {
		typ = typical()
	}
	_, skip := e.ruleEffect(di, xa.part, xa.by, xa.over, actual, typ, c*e.spanMs/1000)
	return skip
}
