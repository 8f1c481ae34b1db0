use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const EUR: &str =
    "Cost per message in EUR on the WhatsApp Business Platform, effective October 1, 2026\n\
    Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n\
    France,€,0.0712,0.0248,0.0248,n/a,0.0248\n\
    India,EUR,0.0099,0.0012,0.0012,0.0252,0.0012\n";

#[test]
fn currencies_as_meta_writes_them() {
    for (written, code) in [
        ("$US", "USD"),
        ("US$", "USD"),
        ("USD", "USD"),
        ("€", "EUR"),
        ("eur", "EUR"),
        ("£", "GBP"),
        ("R$", "BRL"),
        ("₹", "INR"),
        ("AED", "AED"),
    ] {
        assert_eq!(currency_code(written).as_deref(), Some(code), "{written}");
    }
    assert_eq!(currency_code("$"), None);
    assert_eq!(currency_code("dollars"), None);
}

#[test]
fn title_lines_give_unit_currency_and_date() {
    let recs = records(
        "Cost per message in EUR, effective October 1, 2026\nMarket\n",
        "t",
    )
    .unwrap();
    let t = title(&recs[..1]);
    assert_eq!(t.text, "Cost per message in EUR, effective October 1, 2026");
    assert_eq!(t.unit, Some(Unit::Message));
    assert_eq!(t.currency, Some(("EUR".into(), Some("EUR".into()))));
    assert_eq!(t.date, Some(d("2026-10-01")));
    for (text, date) in [
        ("Cost per conversation in $US, effective June 1, 2023", "2023-06-01"),
        ("\"Cost per message in US$ on the WhatsApp Business Platform, effective 1 July 2025\",,,", "2025-07-01"),
        ("Cost per message in INR, effective Oct 1 2025", "2025-10-01"),
        ("Cost per message in BRL, effective 2026-07-01", "2026-07-01"),
    ] {
        let recs = records(text, "t").unwrap();
        assert_eq!(title(&recs).date, Some(d(date)), "{text}");
    }
}

#[test]
fn a_meta_card_with_its_embedded_newline_header() {
    let m = MarketMap::bundled();
    let card = parse_card(EUR, "eur.csv", &m, &Overrides::default()).unwrap();
    assert_eq!(card.currency, "EUR");
    assert_eq!(card.effective_from, d("2026-10-01"));
    assert_eq!(card.rows.len(), 2);
    let fr = &card.rows[0];
    assert_eq!(fr.market, m.market_by_name("France").unwrap());
    assert_eq!(
        fr.cell(Column::Marketing),
        &Cell::Rate(Decimal::new(712, 4))
    );
    assert_eq!(
        fr.cell(Column::AuthenticationInternational),
        &Cell::NotApplicable
    );
    assert_eq!(fr.cell(Column::BusinessInitiated), &Cell::Empty);
    // Precision as printed.
    assert_eq!(
        card.rows[1].cell(Column::Utility),
        &Cell::Rate(Decimal::from_str("0.0012").unwrap())
    );
    assert_eq!(card.rows[1].source, card.title.text);
}

#[test]
fn overrides_win_over_the_title_and_replace_a_missing_one() {
    let m = MarketMap::bundled();
    let ov = Overrides {
        date: Some(d("2027-01-01")),
        currency: None,
    };
    let card = parse_card(EUR, "eur.csv", &m, &ov).unwrap();
    assert_eq!(card.effective_from, d("2027-01-01"));
    let bare = "Market,Currency,Marketing,Utility\nFrance,$US,0.0859,0.03\n";
    let err = parse_card(bare, "bare.csv", &m, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no effective date") && err.contains("--tariff-date"),
        "{err}"
    );
    let ov = Overrides {
        date: Some(d("2026-10-01")),
        currency: None,
    };
    let card = parse_card(bare, "bare.csv", &m, &ov).unwrap();
    assert_eq!(card.currency, "USD");
}

#[test]
fn conversation_and_2022_cards() {
    let m = MarketMap::bundled();
    let conv = "Cost per conversation in US$, effective June 1, 2023\n\
        Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n\
        Malaysia,US$,0.0860,0.0200,0.0180,n/a,0.0220\n";
    let card = parse_card(conv, "c.csv", &m, &Overrides::default()).unwrap();
    assert_eq!(card.title.unit, Some(Unit::Conversation));
    assert_eq!(card.effective_from, d("2023-06-01"));
    let a = "Cost per conversation in EUR, effective February 1, 2022\n\
        Market,Currency,Business-Initiated,User-Initiated\n\
        France,EUR,0.1186,0.0712\n";
    let card = parse_card(a, "a.csv", &m, &Overrides::default()).unwrap();
    assert_eq!(
        card.rows[0].cell(Column::UserInitiated),
        &Cell::Rate(Decimal::new(712, 4))
    );
    // The same card given a date of the per-message era is refused.
    let ov = Overrides {
        date: Some(d("2025-07-01")),
        currency: None,
    };
    let err = parse_card(conv, "c.csv", &m, &ov).unwrap_err().to_string();
    assert!(
        err.contains("per-conversation card dated 2025-07-01 (from --tariff-date)"),
        "{err}"
    );
}

#[test]
fn errors_name_the_line_and_what_was_expected() {
    let m = MarketMap::bundled();
    let ov = Overrides::default();
    let title = "Cost per message in EUR, effective October 1, 2026\n";
    let err = |body: &str| {
        parse_card(&format!("{title}{body}"), "x.csv", &m, &ov)
            .unwrap_err()
            .to_string()
    };
    let e = err("Market,Currency,Marketing,Utilty\nFrance,EUR,0.07,0.01\n");
    assert!(
        e.contains("x.csv, line 2: 'Utilty' is not a rate-card column; is it Utility?"),
        "{e}"
    );
    let e = err("Market,Currency,Marketing\nFrance,EUR,0,07\n");
    assert!(e.contains("line 3: 4 fields but the header has 3"), "{e}");
    let e = err("Market,Currency,Marketing\nFrance,EUR,seven\n");
    assert!(
        e.contains("line 3, column 'Marketing': not a rate (value 'seven')"),
        "{e}"
    );
    let e = err("Market,Currency,Marketing\nAtlantis,EUR,0.07\n");
    assert!(e.contains("line 3, column 'Market': unknown market"), "{e}");
    let e = err("Market,Currency,Marketing\nFrance,$US,0.07\n");
    assert!(e.contains("this row is in USD, the card in EUR"), "{e}");
    let e = err("Market,Currency,Marketing\nFrance,EUR,0.07\nFrance,EUR,0.08\n");
    assert!(
        e.contains("line 4") && e.contains("already on line 3"),
        "{e}"
    );
    let e = parse_card(
        "Cost per message in EUR, effective 2024-01-01\nMarket,Currency,Marketing\nFrance,EUR,0.07\n",
        "x.csv",
        &m,
        &ov,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("per-message card dated 2024-01-01 (from the title line)"),
        "{e}"
    );
    let e = parse_card(
        "Cost per message in $, effective October 1, 2026\nMarket,Marketing\nFrance,0.07\n",
        "x.csv",
        &m,
        &ov,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("cannot tell the currency from '$'") && e.contains("--tariff-currency"),
        "{e}"
    );
}

#[test]
fn meta_tier_table_with_category_groups() {
    let m = MarketMap::bundled();
    let text = "Cost per message in USD, effective October 1, 2026. Reflecting volume tiers\n\
        ,,Utility,,,,,Authentication,,,,\n\
        Market,Currency,From,To,Tier,Rate,Discount,From,To,Tier,Rate,Discount\n\
        India,$US,0,3,List rate,0.0014,0%,0,\"1,000\",List rate,0.0014,0%\n\
        ,,4,5,Tier 1,0.0013,-5%,\"1,001\",,Tier 1,0.0012,-10%\n\
        ,,6,,Tier 2,0.0012,-10%,n/a,n/a,n/a,n/a,n/a\n";
    let (tables, notes) = parse_tiers(text, "t.csv", &m, &Overrides::default()).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(tables.len(), 2);
    let util = tables
        .iter()
        .find(|t| t.category == Column::Utility)
        .unwrap();
    assert_eq!(util.currency, "USD");
    assert_eq!(util.effective_from, d("2026-10-01"));
    assert_eq!(
        util.bands.iter().map(|b| b.first).collect::<Vec<_>>(),
        vec![1, 4, 6]
    );
    assert_eq!(util.band(5).0.to_string(), "4:5");
    assert_eq!(util.band(7), (util.tier(2), Some(Decimal::new(12, 4))));
    let auth = tables
        .iter()
        .find(|t| t.category == Column::Authentication)
        .unwrap();
    assert_eq!(auth.band(1001).0.to_string(), "1001+");
    // A gap between tiers is an error naming both lines.
    let gap = text.replace(",,4,5,Tier 1", ",,5,5,Tier 1");
    let e = parse_tiers(&gap, "t.csv", &m, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 5") && e.contains("ends at 3"), "{e}");
}

#[test]
fn headers_match_by_meaning() {
    for (header, key) in [
        ("Market\n(per rate card)", "market"),
        ("  Market  ", "market"),
        ("Currency (ISO)", "currency"),
    ] {
        assert!(means(header, key), "{header}");
    }
    assert!(!means("Market share", "market"));
    assert_eq!(meta_column("Marketing (USD)"), Some(Column::Marketing));
    assert_eq!(
        meta_column("Authentication (International)"),
        Some(Column::AuthenticationInternational)
    );
    assert_eq!(
        meta_column("Authentication-\r\nInternational"),
        Some(Column::AuthenticationInternational)
    );
    assert_eq!(meta_column("Utility rates"), Some(Column::Utility));
    assert_eq!(meta_column("Meta Business Agent"), None);
    assert_eq!(misspelt_column("Meta Business Agent"), None);
    assert_eq!(misspelt_column("Marketting"), Some("Marketing"));
    assert_eq!(shown("Market\n(per rate card)"), "Market (per rate card)");
}

#[test]
fn unknown_columns_are_left_out_and_named() {
    let m = MarketMap::bundled();
    let text = "Cost per message in USD, effective October 1, 2026\n\
        Market,Currency,Marketing,Utility,Meta Business Agent,Service,Notes\n\
        France,$US,0.0859,0.03,0.12,0.03,see footnote\n";
    let card = parse_card(text, "x.csv", &m, &Overrides::default()).unwrap();
    assert_eq!(
        card.notes,
        vec!["x.csv, line 2: ignored columns 'Meta Business Agent', 'Notes': not a rate waprice prices"]
    );
    let fr = &card.rows[0];
    assert_eq!(fr.cell(Column::Service), &Cell::Rate(Decimal::new(3, 2)));
    assert_eq!(
        fr.cell(Column::Marketing),
        &Cell::Rate(Decimal::new(859, 4))
    );
}

#[test]
fn a_currency_typo_is_refused_unless_the_option_settles_it() {
    let m = MarketMap::bundled();
    let text = "Cost per message in GBP, effective October 1, 2026\n\
        Market,Currency,Marketing\n\
        France,GBP,0.07\n\
        Germany,GBD,0.08\n\
        Italy,GBD,0.06\n";
    let e = parse_card(text, "x.csv", &m, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 4, column 'Currency': 'GBD' is no currency, and the card is in GBP"),
        "{e}"
    );
    assert!(e.contains("pass --tariff-currency GBP"), "{e}");
    let ov = Overrides {
        date: None,
        currency: Some("GBP".into()),
    };
    let card = parse_card(text, "x.csv", &m, &ov).unwrap();
    assert_eq!(card.rows.len(), 3);
    assert!(card.rows.iter().all(|r| r.currency == "GBP"));
    assert_eq!(
        card.notes,
        vec!["x.csv: --tariff-currency GBP overrides the Currency cells of 2 rows (first on line 4: 'GBD')"]
    );
    // A cell naming another real currency is no typo: refused even with the option.
    let usd = text.replace("Italy,GBD", "Italy,USD");
    let e = parse_card(&usd, "x.csv", &m, &ov).unwrap_err().to_string();
    assert!(
        e.contains("line 5, column 'Currency': this row is in USD, the card in GBP"),
        "{e}"
    );
    assert!(is_iso_currency("BBD") && !is_iso_currency("GBD"));
    // Without a title, a typo never names the card's currency.
    let bare = "Market,Currency,Marketing\nUnited Kingdom,GBD,0.0458\n";
    let dated = Overrides {
        date: Some(d("2026-07-01")),
        currency: None,
    };
    let e = parse_card(bare, "x.csv", &m, &dated)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no currency") && e.contains("--tariff-currency"),
        "{e}"
    );
    // The option over a title naming another currency says so.
    let titled =
        "Cost per message in GBP, effective October 1, 2026\nMarket,Marketing\nFrance,0.07\n";
    let eur = Overrides {
        date: None,
        currency: Some("EUR".into()),
    };
    let card = parse_card(titled, "x.csv", &m, &eur).unwrap();
    assert_eq!(card.currency, "EUR");
    assert_eq!(
        card.notes,
        vec!["x.csv, line 1: --tariff-currency EUR overrides 'GBP' in the title"]
    );
}

#[test]
fn tier_tables_with_a_qualified_market_header_and_a_rate_type_column() {
    let m = MarketMap::bundled();
    let text = "Cost per message in USD, effective October 1, 2026. Reflecting volume tiers\n\
        ,,Utility,,,,,Authentication,,,,\n\
        \"Market\n(per rate card)\",Currency,From,To,Rate type,Rate,Discount,From,To,Rate type,Rate,Discount,Region\n\
        India,$US,0,3,List rate,0.0014,0%,0,\"1,000\",List rate,0.0014,0%,APAC\n\
        ,,4,,Tier 1,0.0013,-5%,\"1,001\",,Tier 1,0.0012,-10%,\n";
    let (tables, notes) = parse_tiers(text, "t.csv", &m, &Overrides::default()).unwrap();
    assert_eq!(tables.len(), 2);
    let util = tables
        .iter()
        .find(|t| t.category == Column::Utility)
        .unwrap();
    assert_eq!(util.band(4), (util.tier(1), Some(Decimal::new(13, 4))));
    assert_eq!(
        notes,
        vec!["t.csv, line 3: ignored column 'Region': not read from a tier table"]
    );
}
