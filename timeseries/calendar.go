package timeseries

import (
	"fmt"
	"sort"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigil-ml/vigil/internal/check"
)

// Calendar is Elastic's calendar of scheduled events (a maintenance
// window, a month-end batch, a holiday): during an event the job writes
// its bucket results with no records (anomaly score 0) and its models do
// not learn, as Elastic.
type Calendar struct {
	ID          string
	Description string
	Events      []ScheduledEvent
}

// ScheduledEvent is one event of a calendar, over [Start, End). The
// buckets it touches are affected in full: Start is rounded down and End up
// to the bucket span, as Elastic does.
type ScheduledEvent struct {
	Description string
	Start, End  time.Time
	// KeepResults and UpdateModel turn off one of the two effects
	// (Elastic's skip_result false and skip_model_update false).
	KeepResults, UpdateModel bool
}

// calSpan is a compiled event in bucket-aligned milliseconds.
type calSpan struct {
	start, end             int64
	skipResult, skipUpdate bool
}

// Bounds of event times: years 1970 to 9999, as epoch milliseconds.
const maxEventMs = 253402300799999

func (c *Job) validateCalendars() error {
	for i, cl := range c.Calendars {
		at := fmt.Sprintf("calendars[%d]", i)
		for k, ev := range cl.Events {
			eat := fmt.Sprintf("%s.events[%d]", at, k)
			if ev.Start.IsZero() || ev.End.IsZero() {
				return configErr("%s: start_time and end_time are required", eat)
			}
			if !ev.End.After(ev.Start) {
				return configErr("%s: end_time %s must be after start_time %s", eat,
					ev.End.UTC().Format(time.RFC3339), ev.Start.UTC().Format(time.RFC3339))
			}
			if ev.Start.UnixMilli() < 0 || ev.End.UnixMilli() > maxEventMs {
				return configErr("%s: times must lie between 1970 and 9999", eat)
			}
		}
	}
	return nil
}

func (e *Engine) compileCalendars() {
	span := e.spanMs
	e.rl.cal = e.rl.cal[:0]
	for _, cl := range e.job.Calendars {
		for _, ev := range cl.Events {
			s := floorDiv(ev.Start.UnixMilli(), span) * span
			en := -floorDiv(-ev.End.UnixMilli(), span) * span
			e.rl.cal = append(e.rl.cal, calSpan{start: s, end: en, skipResult: !ev.KeepResults, skipUpdate: !ev.UpdateModel})
		}
	}
	sort.Slice(e.rl.cal, func(a, b int) bool { return e.rl.cal[a].start < e.rl.cal[b].start })
	e.rl.anyCal = len(e.rl.cal) > 0
}

func (r *ruleState) anyCalUpdate() bool {
	for _, c := range r.cal {
		if c.skipUpdate {
			return true
		}
	}
	return false
}

// calendarEffect reports whether the bucket starting at startMs lies in a
// scheduled event, and what the event skips.
func (e *Engine) calendarEffect(startMs int64) (skipResult, skipUpdate bool) {
	if !e.rl.anyCal {
		return false, false
	}
	// Events are few; a linear scan over those starting before the bucket.
	for _, c := range e.rl.cal {
		if c.start > startMs {
			break
		}
		if startMs < c.end {
			skipResult = skipResult || c.skipResult
			skipUpdate = skipUpdate || c.skipUpdate
		}
	}
	return skipResult, skipUpdate
}

// AddCalendar adds a calendar of scheduled events to the running job, as
// Elastic lets one add events to a job's calendars while it runs. Events of
// buckets already closed have no effect. The calendar is part of the job's
// configuration from then on (Job, MarshalBinary).
func (e *Engine) AddCalendar(cal Calendar) error {
	if e.dets == nil {
		return check.NotFitted(pkg)
	}
	c := e.job
	c.Calendars = append(append([]Calendar(nil), e.job.Calendars...), Calendar{ID: cal.ID, Description: cal.Description,
		Events: append([]ScheduledEvent(nil), cal.Events...)})
	if err := c.validateCalendars(); err != nil {
		return err
	}
	e.job.Calendars = c.Calendars
	e.compileCalendars()
	e.refreshOnePass()
	return nil
}

// calendars reads the job file's top-level "calendars" (Vigil's place for
// them: Elastic stores calendars apart from jobs): an array of
// {calendar_id, description, job_ids, events}, each event Elastic's
// scheduled event {description, start_time, end_time} with times in epoch
// milliseconds (or RFC 3339 strings), and optionally skip_result and
// skip_model_update (default true).
func (p *jparser) calendars(x *fastjson.Value, at string, job *Job) {
	for i, cv := range p.array(x, at) {
		cat := fmt.Sprintf("%s[%d]", at, i)
		var cl Calendar
		p.fields(p.obj(cv, cat), cat, map[string]func(*fastjson.Value, string){
			"calendar_id": func(x *fastjson.Value, at string) { cl.ID = p.str(x, at) },
			"description": func(x *fastjson.Value, at string) { cl.Description = p.str(x, at) },
			"job_ids":     ignore,
			"events": func(x *fastjson.Value, at string) {
				for k, ev := range p.array(x, at) {
					cl.Events = append(cl.Events, p.scheduledEvent(ev, fmt.Sprintf("%s[%d]", at, k)))
				}
			},
		})
		job.Calendars = append(job.Calendars, cl)
	}
}

func (p *jparser) scheduledEvent(x *fastjson.Value, at string) ScheduledEvent {
	var ev ScheduledEvent
	p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
		"description": func(x *fastjson.Value, at string) { ev.Description = p.str(x, at) },
		"start_time":  func(x *fastjson.Value, at string) { ev.Start = p.eventTime(x, at) },
		"end_time":    func(x *fastjson.Value, at string) { ev.End = p.eventTime(x, at) },
		"skip_result": func(x *fastjson.Value, at string) { ev.KeepResults = !p.boolean(x, at) },
		"skip_model_update": func(x *fastjson.Value, at string) {
			ev.UpdateModel = !p.boolean(x, at)
		},
		"force_time_shift": func(_ *fastjson.Value, at string) {
			p.check(check.Errorf(pkg, ErrUnsupported, "%s is not supported by Vigil", at))
		},
		"calendar_id": ignore, "event_id": ignore,
	})
	return ev
}

func (p *jparser) eventTime(x *fastjson.Value, at string) time.Time {
	if x.Type() == fastjson.TypeNumber {
		ms, err := x.Int64()
		if err != nil {
			p.check(configErr("%s: want epoch milliseconds, got %s", at, x))
			return time.Time{}
		}
		return time.UnixMilli(ms).UTC()
	}
	s := p.str(x, at)
	if s == "" {
		return time.Time{}
	}
	tp, _ := NewTimeParser("")
	t, err := tp.ParseString(s)
	if err != nil {
		p.check(configErr("%s: %v", at, err))
	}
	return t
}
