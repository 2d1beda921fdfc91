/// The 50 states and DC by USPS code: where a lead may live and which state rules apply to it.
public enum USStates {
    public static let codes: Set<String> = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
        "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
        "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    ]

    /// The upper-case code when `text` names a state or DC (`ca`, ` CA `), else nil.
    public static func canonical(_ text: String) -> String? {
        let code = text.trimmingSpaces.uppercased()
        return codes.contains(code) ? code : nil
    }
}
