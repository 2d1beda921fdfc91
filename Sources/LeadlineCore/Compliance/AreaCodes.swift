/// US area codes: the state each serves and the time zones its numbers may be in. An area code that crosses a zone
/// line lists every zone it reaches (the gate then needs the call to be legal in all of them). Numbers keep their
/// area code when people move, so this is a presumption about the called party, not a fact.
///
/// Zones follow libphonenumber's `resources/timezones/map_data.txt` (NPA-NXX data folded to the area code, so a
/// split area code gets the union of its exchanges' zones); overlays added since inherit the zones of the area
/// codes they overlay. Each line is `ST npa npa …`; a number without `=` is in the state's main zone; `=` lists its
/// zones by letter (E Eastern, C Central, M Mountain, P Pacific, AZ Arizona, B Boise, MI Menominee) or `*` for
/// every zone of the state.
public enum AreaCodes {
    public struct Entry: Sendable, Equatable {
        public let state: String
        public let zones: [String]
        /// What the gate notes when a lead's state differs from the area code's.
        let otherStateNote: String

        init(npa: Int, state: String, zones: [String]) {
            self.state = state
            self.zones = zones
            otherStateNote = StateRules.areaCodePresumption.contains(state)
                ? "area code \(npa) is in \(state), whose law presumes its area codes reach residents: \(state) rules apply too"
                : "area code \(npa) is in \(state), not the lead's state: \(state) rules apply too"
        }
    }

    static let table = """
    AL 205 251 256 334 659 938
    AK 907=*
    AZ 480=AZ,M 520=AZ,M 602=AZ,M 623 928=AZ,M
    AR 327 479 501 870
    CA 209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 738 747 760 805 818 820 831 837 840 858 909 916 925 949 951
    CO 303 719 720 970 983
    CT 203 475 860 959
    DE 302
    DC 202 771
    FL 239 305 321 324 352 386 407 448=E,C 561 645 656 689 727 728 754 772 786 813 850=E,C 863 904 941 954
    GA 229 404 470 478 678 706 762 770 912 943
    HI 808
    ID 208=B,P,M 986=B,P,M
    IL 217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872
    IN 219=E,C 260 317 463 574=E,C 765 812=E,C 930=E,C
    IA 319 515 563 641 712
    KS 316 620=C,M 785=C,M 913
    KY 270=E,C 364=E,C 502 606=E,C 859
    LA 225 318 337 504 985
    ME 207
    MD 227 240 301 410 443 667
    MA 339 351 413 508 617 774 781 857 978
    MI 231 248 269 313 517 586 616 679 734 810 906=E,MI 947 989
    MN 218 320 507 612 651 763 924 952
    MS 228 601 662 769
    MO 235 314 417 557 573 636 660 816 975
    MT 406
    NE 308=C,M 402 531
    NV 702 725 775=P,M
    NH 603
    NJ 201 551 609 640 732 848 856 862 908 973
    NM 505 575
    NY 212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 914 917 929 934
    NC 252 336 472 704 743 828 910 919 980 984
    ND 701=*
    OH 216 220 234 283 326 330 380 419 436 440 513 567 614 740 937
    OK 405 539 572 580 918
    OR 458=P,B 503 541=P,B 971
    PA 215 223 267 272 412 445 484 570 582 610 717 724 814 835 878
    RI 401
    SC 803 821 839 843 854 864
    SD 605=C,M
    TN 423=C,E 615 629 731 865=E 901 931
    TX 210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 915=M,C 936 940 945 956 972 979
    UT 385 435 801
    VT 802
    VA 276 434 540 571 686 703 757 804 826 948
    WA 206 253 360 425 509 564
    WV 304 681
    WI 262 274 353 414 534 608 715 920
    WY 307
    """

    static let zoneLetters: [String: String] = [
        "E": "America/New_York", "C": "America/Chicago", "M": "America/Denver", "P": "America/Los_Angeles",
        "AZ": "America/Phoenix", "B": "America/Boise", "MI": "America/Menominee",
    ]

    static let entries: [Int: Entry] = {
        var result: [Int: Entry] = [:]
        for line in table.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let state = words.first.map(String.init), let rule = StateRules.rule(state) else {
                preconditionFailure("area code table: unknown state in \(line)")
            }
            for word in words.dropFirst() {
                let parts = word.split(separator: "=")
                guard let npa = Int(parts[0]) else { preconditionFailure("area code table: \(word)") }
                var zones = [rule.zones[0]]
                if parts.count == 2 {
                    zones = parts[1] == "*" ? rule.zones : parts[1].split(separator: ",").map {
                        guard let zone = zoneLetters[String($0)] else { preconditionFailure("area code table: zone \($0)") }
                        return zone
                    }
                }
                precondition(result[npa] == nil, "area code \(npa) is listed twice")
                result[npa] = Entry(npa: npa, state: state, zones: zones)
            }
        }
        return result
    }()

    /// The state and zones of an area code; nil for one not in the table (Canada, the Caribbean, US territories,
    /// toll-free and other non-geographic codes, or one put in service after this table was written).
    public static func lookup(_ npa: Int) -> Entry? { entries[npa] }

    public static var all: [Int: Entry] { entries }
}
