package mixpanel

// The unexported helpers that the external tests (package mixpanel_test,
// which the in-process fake forces) exercise directly: decoders that are
// fuzzed and edge cases that are cheaper to pin here than through a
// request. They exist in test builds only, so the package exports nothing
// for its tests' sake.
var (
	BaseURLs              = baseURLs
	BuildSchemaGraph      = buildSchemaGraph
	DecodeBookmarkList    = decodeBookmarkList
	DecodeCohortList      = decodeCohortList
	DecodeLexiconSchemas  = decodeLexiconSchemas
	DecodePropertyCounts  = decodePropertyCounts
	DetectReportType      = detectReportType
	FunnelDefaultRange    = funnelDefaultRange
	IsISODate             = isISODate
	NormalizeEvent        = normalizeEvent
	OnExpression          = onExpression
	ReadNDJSON            = readNDJSON
	UnixTime              = unixTime
	DefaultQueryRowLimit  = defaultQueryRowLimit
	MaxSubpropertySamples = maxSubpropertySamples
)
