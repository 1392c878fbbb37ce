package mixpaneltest

// Data is the fake project's content. Each domain's endpoints read the
// fields they need; tests may replace any of them.
type Data struct {
}

// DefaultData returns a small, realistic e-commerce project.
func DefaultData() *Data {
	return &Data{}
}
