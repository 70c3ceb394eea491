package topology

import (
	"encoding/json"
	"io"
)

// WriteJSON writes g as one indented JSON document. The field names are
// stable and documented on Graph and its parts; format_version is
// GraphFormatVersion. Durations are Go duration strings ("1m0s").
//
//	{"format_version": 1, "app": "...", "client": "sarama" | "franz" (when set),
//	 "supervisor": {"strategy", "max_restarts", "within", "backoff": {"initial", "max", "multiplier", "jitter"}},
//	 "listeners": [{"topic", "group", "controller", "parser", "start_from", "before_filters",
//	   "batch": {"max_size"} (only for a batch controller),
//	   "partitions": {"cardinality", "supervisor", "retry": {"attempts", "backoff"}, "dead_letter",
//	     "virtual": {"max", "key"} (only with virtual partitions),
//	     "responder": {"name", "topics": [{"name", "required", "multiple_usage"}]} | null}}],
//	 "topics": [{"name", "role", "partitions", "replication_factor", "configs": {...}}] (only when declared)}
func WriteJSON(w io.Writer, g Graph) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(g)
}
