//! The vocabulary of the demo data: names, places and phrases, by region, so that a demo
//! database looks like a real customer list, accents and Chinese characters included.
//!
//! A name comes with its ASCII spelling for email addresses and domains, the way real addresses
//! are written (Müller → mueller, 王伟 → wei.wang).

/// A display form and the ASCII form used in addresses.
pub type Spelled = (&'static str, &'static str);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Us,
    Uk,
    De,
    Fr,
    Es,
    Cn,
    Jp,
}

impl Region {
    /// Regions with their share of accounts, in percent.
    pub const WEIGHTED: [(Region, u32); 7] = [
        (Region::Us, 44),
        (Region::Uk, 12),
        (Region::De, 13),
        (Region::Fr, 10),
        (Region::Es, 6),
        (Region::Cn, 10),
        (Region::Jp, 5),
    ];

    pub fn currency(self) -> &'static str {
        match self {
            Region::Uk => "GBP",
            Region::De | Region::Fr | Region::Es => "EUR",
            Region::Us | Region::Cn | Region::Jp => "USD",
        }
    }

    pub fn tlds(self) -> &'static [&'static str] {
        match self {
            Region::Us => &["com", "io", "co", "com"],
            Region::Uk => &["co.uk", "com", "uk"],
            Region::De => &["de", "com", "de"],
            Region::Fr => &["fr", "com", "fr"],
            Region::Es => &["es", "com"],
            Region::Cn => &["cn", "com.cn", "com"],
            Region::Jp => &["jp", "co.jp", "com"],
        }
    }

    pub fn first_names(self) -> &'static [Spelled] {
        match self {
            Region::Us | Region::Uk => &[
                ("James", "james"),
                ("Mary", "mary"),
                ("Robert", "robert"),
                ("Patricia", "patricia"),
                ("Michael", "michael"),
                ("Jennifer", "jennifer"),
                ("David", "david"),
                ("Linda", "linda"),
                ("William", "william"),
                ("Elizabeth", "elizabeth"),
                ("Aisha", "aisha"),
                ("Tyrone", "tyrone"),
                ("Priya", "priya"),
                ("Connor", "connor"),
                ("Olivia", "olivia"),
                ("Ethan", "ethan"),
                ("Grace", "grace"),
                ("Marcus", "marcus"),
                ("Hannah", "hannah"),
                ("Samuel", "samuel"),
                ("Chloe", "chloe"),
                ("Daniel", "daniel"),
                ("Zoë", "zoe"),
                ("Rhys", "rhys"),
            ],
            Region::De => &[
                ("Jürgen", "juergen"),
                ("Anna", "anna"),
                ("Lukas", "lukas"),
                ("Sophie", "sophie"),
                ("Björn", "bjoern"),
                ("Katrin", "katrin"),
                ("Jörg", "joerg"),
                ("Lena", "lena"),
                ("Matthias", "matthias"),
                ("Jana", "jana"),
                ("Günter", "guenter"),
                ("Felix", "felix"),
                ("Sören", "soeren"),
                ("Hannelore", "hannelore"),
                ("Tobias", "tobias"),
                ("Mareike", "mareike"),
            ],
            Region::Fr => &[
                ("Amélie", "amelie"),
                ("François", "francois"),
                ("Hélène", "helene"),
                ("Jérôme", "jerome"),
                ("Camille", "camille"),
                ("Léa", "lea"),
                ("Noël", "noel"),
                ("Chloé", "chloe"),
                ("Théo", "theo"),
                ("Inès", "ines"),
                ("Benoît", "benoit"),
                ("Margaux", "margaux"),
                ("Raphaël", "raphael"),
                ("Élodie", "elodie"),
                ("Gaëlle", "gaelle"),
                ("Loïc", "loic"),
            ],
            Region::Es => &[
                ("José", "jose"),
                ("María", "maria"),
                ("Sofía", "sofia"),
                ("Andrés", "andres"),
                ("Lucía", "lucia"),
                ("Martín", "martin"),
                ("Íñigo", "inigo"),
                ("Begoña", "begona"),
                ("Raúl", "raul"),
                ("Noemí", "noemi"),
                ("Javier", "javier"),
                ("Elena", "elena"),
            ],
            Region::Cn => &[
                ("伟", "wei"),
                ("芳", "fang"),
                ("娜", "na"),
                ("敏", "min"),
                ("静", "jing"),
                ("磊", "lei"),
                ("洋", "yang"),
                ("艳", "yan"),
                ("勇", "yong"),
                ("军", "jun"),
                ("杰", "jie"),
                ("婷", "ting"),
                ("浩然", "haoran"),
                ("子涵", "zihan"),
                ("欣怡", "xinyi"),
            ],
            Region::Jp => &[
                ("陽翔", "haruto"),
                ("結衣", "yui"),
                ("蓮", "ren"),
                ("さくら", "sakura"),
                ("大輝", "daiki"),
                ("美咲", "misaki"),
                ("翔太", "shota"),
                ("葵", "aoi"),
                ("健太", "kenta"),
                ("陽菜", "hina"),
            ],
        }
    }

    pub fn last_names(self) -> &'static [Spelled] {
        match self {
            Region::Us | Region::Uk => &[
                ("Smith", "smith"),
                ("Johnson", "johnson"),
                ("Williams", "williams"),
                ("Brown", "brown"),
                ("Jones", "jones"),
                ("Garcia", "garcia"),
                ("Miller", "miller"),
                ("Davis", "davis"),
                ("O'Brien", "obrien"),
                ("Nguyen", "nguyen"),
                ("Patel", "patel"),
                ("Okafor", "okafor"),
                ("Kowalski", "kowalski"),
                ("Thompson", "thompson"),
                ("Evans", "evans"),
                ("Hughes", "hughes"),
                ("Clarke", "clarke"),
                ("Walsh", "walsh"),
                ("Robinson", "robinson"),
                ("Chen", "chen"),
            ],
            Region::De => &[
                ("Müller", "mueller"),
                ("Schmidt", "schmidt"),
                ("Schneider", "schneider"),
                ("Fischer", "fischer"),
                ("Weiß", "weiss"),
                ("Schäfer", "schaefer"),
                ("Köhler", "koehler"),
                ("Groß", "gross"),
                ("Wagner", "wagner"),
                ("Becker", "becker"),
                ("Hoffmann", "hoffmann"),
                ("Jäger", "jaeger"),
                ("Krüger", "krueger"),
                ("Böhm", "boehm"),
            ],
            Region::Fr => &[
                ("Lefèvre", "lefevre"),
                ("Dubois", "dubois"),
                ("Moreau", "moreau"),
                ("Laurent", "laurent"),
                ("Girard", "girard"),
                ("Lemaître", "lemaitre"),
                ("Bérénger", "berenger"),
                ("Rousseau", "rousseau"),
                ("Fontaine", "fontaine"),
                ("Chevalier", "chevalier"),
                ("Mercier", "mercier"),
                ("Benoît", "benoit"),
            ],
            Region::Es => &[
                ("García", "garcia"),
                ("Fernández", "fernandez"),
                ("González", "gonzalez"),
                ("Rodríguez", "rodriguez"),
                ("López", "lopez"),
                ("Martínez", "martinez"),
                ("Sánchez", "sanchez"),
                ("Pérez", "perez"),
                ("Muñoz", "munoz"),
                ("Ibáñez", "ibanez"),
            ],
            Region::Cn => &[
                ("王", "wang"),
                ("李", "li"),
                ("张", "zhang"),
                ("刘", "liu"),
                ("陈", "chen"),
                ("杨", "yang"),
                ("黄", "huang"),
                ("赵", "zhao"),
                ("周", "zhou"),
                ("吴", "wu"),
                ("徐", "xu"),
                ("孙", "sun"),
                ("欧阳", "ouyang"),
            ],
            Region::Jp => &[
                ("佐藤", "sato"),
                ("鈴木", "suzuki"),
                ("高橋", "takahashi"),
                ("田中", "tanaka"),
                ("伊藤", "ito"),
                ("渡辺", "watanabe"),
                ("山本", "yamamoto"),
                ("中村", "nakamura"),
            ],
        }
    }

    /// Whether a person's name is written family name first, without a space.
    pub fn family_name_first(self) -> bool {
        matches!(self, Region::Cn | Region::Jp)
    }

    /// Company name parts in the region's language: (brands, legal suffixes). A name is a brand,
    /// a core word from [`Region::company_cores`] and a suffix.
    pub fn company_parts(self) -> (&'static [Spelled], &'static [&'static str]) {
        match self {
            Region::Us | Region::Uk => (
                &[
                    ("Northwind", "northwind"),
                    ("Bluepeak", "bluepeak"),
                    ("Harborline", "harborline"),
                    ("Ironwood", "ironwood"),
                    ("Brightpath", "brightpath"),
                    ("Cedar & Stone", "cedarstone"),
                    ("Redfield", "redfield"),
                    ("Summit Ridge", "summitridge"),
                    ("Lakeshore", "lakeshore"),
                    ("Copperleaf", "copperleaf"),
                    ("Granite", "granite"),
                    ("Silverline", "silverline"),
                    ("Evergreen", "evergreen"),
                    ("Foxglove", "foxglove"),
                    ("Kestrel", "kestrel"),
                    ("Oakmont", "oakmont"),
                    ("Pinnacle", "pinnacle"),
                    ("Riverbend", "riverbend"),
                    ("Westgate", "westgate"),
                    ("Juniper", "juniper"),
                    ("Acme", "acme"),
                    ("Beacon", "beacon"),
                ],
                &[
                    "Inc", "LLC", "Ltd", "Group", "Co", "Partners", "Holdings", "Labs",
                ],
            ),
            Region::De => (
                &[
                    ("Müller", "mueller"),
                    ("Nordlicht", "nordlicht"),
                    ("Bergblick", "bergblick"),
                    ("Rheinwerk", "rheinwerk"),
                    ("Grünwald", "gruenwald"),
                    ("Schäfer & Söhne", "schaefer-soehne"),
                    ("Alpenglühen", "alpengluehen"),
                    ("Elbtal", "elbtal"),
                    ("Königsweg", "koenigsweg"),
                    ("Hafenstadt", "hafenstadt"),
                    ("Weißdorn", "weissdorn"),
                    ("Lindenhof", "lindenhof"),
                ],
                &[
                    "GmbH",
                    "AG",
                    "KG",
                    "GmbH & Co. KG",
                    "Logistik GmbH",
                    "Software GmbH",
                ],
            ),
            Region::Fr => (
                &[
                    ("Lumière", "lumiere"),
                    ("Côte d'Azur", "cotedazur"),
                    ("Étoile", "etoile"),
                    ("Château Vert", "chateauvert"),
                    ("Bâtiment Moreau", "batiment-moreau"),
                    ("Forêt Noire", "foretnoire"),
                    ("Éclat", "eclat"),
                    ("Rivière", "riviere"),
                    ("Hôtellerie Dubois", "hotellerie-dubois"),
                    ("Pâtisserie Lefèvre", "patisserie-lefevre"),
                ],
                &["SAS", "SARL", "SA", "et Associés"],
            ),
            Region::Es => (
                &[
                    ("Peñalara", "penalara"),
                    ("Sierra Nevada", "sierranevada"),
                    ("Logística Ibérica", "logistica-iberica"),
                    ("Camiño", "camino"),
                    ("Almazara Muñoz", "almazara-munoz"),
                    ("Soluciones Andaluzas", "soluciones-andaluzas"),
                    ("Cañada", "canada"),
                    ("Ibérica Digital", "iberica-digital"),
                ],
                &["S.L.", "S.A.", "S.L.U."],
            ),
            Region::Cn => (
                &[
                    ("深圳星河", "xinghe"),
                    ("北京云帆", "yunfan"),
                    ("上海明德", "mingde"),
                    ("杭州青禾", "qinghe"),
                    ("广州华信", "huaxin"),
                    ("成都天府", "tianfu"),
                    ("南京金陵", "jinling"),
                    ("苏州锦绣", "jinxiu"),
                    ("武汉长江", "changjiang"),
                    ("西安盛唐", "shengtang"),
                ],
                &[
                    "科技有限公司",
                    "信息技术有限公司",
                    "贸易有限公司",
                    "网络科技有限公司",
                ],
            ),
            Region::Jp => (
                &[
                    ("さくら", "sakura"),
                    ("富士", "fuji"),
                    ("東和", "towa"),
                    ("青葉", "aoba"),
                    ("日の出", "hinode"),
                    ("大和", "yamato"),
                    ("みなと", "minato"),
                ],
                &["株式会社", "商事株式会社", "システムズ株式会社"],
            ),
        }
    }

    /// The middle word of a company name: what the company does.
    pub fn company_cores(self) -> &'static [Spelled] {
        match self {
            Region::Us | Region::Uk => &[
                ("Analytics", "analytics"),
                ("Logistics", "logistics"),
                ("Foods", "foods"),
                ("Health", "health"),
                ("Studio", "studio"),
                ("Systems", "systems"),
                ("Builders", "builders"),
                ("Dental", "dental"),
                ("Outfitters", "outfitters"),
                ("Media", "media"),
                ("Capital", "capital"),
                ("Realty", "realty"),
                ("Consulting", "consulting"),
                ("Energy", "energy"),
                ("Robotics", "robotics"),
                ("Learning", "learning"),
            ],
            Region::De => &[
                ("Maschinenbau", "maschinenbau"),
                ("Logistik", "logistik"),
                ("Bäckerei", "baeckerei"),
                ("Zahntechnik", "zahntechnik"),
                ("Datentechnik", "datentechnik"),
                ("Immobilien", "immobilien"),
                ("Brauerei", "brauerei"),
                ("Medizintechnik", "medizintechnik"),
                ("Verlag", "verlag"),
            ],
            Region::Fr => &[
                ("Conseil", "conseil"),
                ("Transports", "transports"),
                ("Numérique", "numerique"),
                ("Santé", "sante"),
                ("Éditions", "editions"),
                ("Énergies", "energies"),
                ("Immobilier", "immobilier"),
            ],
            Region::Es => &[
                ("Consultores", "consultores"),
                ("Alimentación", "alimentacion"),
                ("Tecnología", "tecnologia"),
                ("Energía", "energia"),
                ("Clínica", "clinica"),
                ("Construcción", "construccion"),
            ],
            Region::Cn => &[
                ("智能", "zhineng"),
                ("数据", "shuju"),
                ("物流", "wuliu"),
                ("医疗", "yiliao"),
                ("教育", "jiaoyu"),
                ("电子", "dianzi"),
                ("软件", "ruanjian"),
            ],
            Region::Jp => &[
                ("電機", "denki"),
                ("物産", "bussan"),
                ("情報", "joho"),
                ("食品", "shokuhin"),
                ("建設", "kensetsu"),
            ],
        }
    }

    /// A phone number in one of the ways people write them in this region, drawn from ranges set
    /// aside for fiction where a country has one. `pick` chooses the writing; `digits` fills it.
    pub fn phone(self, pick: u32, digits: u32) -> String {
        let d4 = digits % 10_000;
        let d3 = digits % 1_000;
        let d2 = digits % 100;
        match (self, pick % 3) {
            (Region::Us, 0) => format!("+1 (555) 01{:01}-{d4:04}", d2 % 10),
            (Region::Us, 1) => format!("555-01{:01}-{d4:04}", d2 % 10),
            (Region::Us, _) => format!("+1555{:03}{d4:04}", 10 + d2 % 10),
            (Region::Uk, 0) => format!("+44 20 7946 0{d3:03}"),
            (Region::Uk, 1) => format!("020 7946 0{d3:03}"),
            (Region::Uk, _) => format!("+44 (0)20 7946 0{d3:03}"),
            (Region::De, 0) => format!("+49 30 901820{d2:02}"),
            (Region::De, 1) => format!("030 / 901820-{d2:02}"),
            (Region::De, _) => format!("+49 (0)30 901820 {d2:02}"),
            (Region::Fr, 0) => format!("+33 1 99 00 {:02} {d2:02}", d4 / 100),
            (Region::Fr, _) => format!("01 99 00 {:02} {d2:02}", d4 / 100),
            (Region::Es, _) => format!("+34 91 {d3:03} {:02} {d2:02}", d4 / 100),
            (Region::Cn, 0) => format!("+86 138 {d4:04} {:04}", (digits / 10_000) % 10_000),
            (Region::Cn, _) => format!("138-{d4:04}-{:04}", (digits / 10_000) % 10_000),
            (Region::Jp, _) => format!("+81 3-{d4:04}-{:04}", (digits / 10_000) % 10_000),
        }
    }
}

pub const INDUSTRIES: &[&str] = &[
    "Software",
    "Retail",
    "Healthcare",
    "Manufacturing",
    "Logistics",
    "Financial services",
    "Education",
    "Media",
    "Hospitality",
    "Professional services",
    "Real estate",
    "Non-profit",
];

pub const CONTACT_ROLES: &[&str] = &[
    "CEO",
    "COO",
    "Head of Operations",
    "IT Manager",
    "Finance Director",
    "Customer Success Lead",
    "Marketing Manager",
    "Office Manager",
    "Product Owner",
];

/// Competitors named in calls (fictional).
pub const COMPETITORS: &[&str] = &["Churnly", "HelpHub", "Stickwise", "LoyaltyLoop", "Keepr"];

/// The team of reps: (login, display name).
pub const REPS: &[(&str, &str)] = &[
    ("amara", "Amara Okafor"),
    ("bjorn", "Björn Lindqvist"),
    ("carmen", "Carmen Ruiz"),
    ("dmitri", "Dmitri Volkov"),
    ("eleanor", "Eleanor Hughes"),
    ("farah", "Farah Haddad"),
    ("gwen", "Gwen Tanaka"),
    ("hugo", "Hugo Lefèvre"),
    ("ines", "Inês Costa"),
    ("jamal", "Jamal Wright"),
    ("kenji", "Kenji Mori"),
    ("lin", "林 晓东"),
    ("maya", "Maya Patel"),
    ("noah", "Noah Fischer"),
    ("olga", "Olga Nowak"),
];
