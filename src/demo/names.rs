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

    /// ISO 3166-1 alpha-2.
    pub fn country(self) -> &'static str {
        match self {
            Region::Us => "US",
            Region::Uk => "GB",
            Region::De => "DE",
            Region::Fr => "FR",
            Region::Es => "ES",
            Region::Cn => "CN",
            Region::Jp => "JP",
        }
    }

    /// Phone number `serial` of this region (no two serials give one number), written in one of
    /// the ways people write numbers here; `pick` chooses the writing.
    pub fn phone(self, serial: u32, pick: u32) -> String {
        let Number { area, local } = self.number(serial);
        let (head, tail) = local.split_at(local.len() - 4);
        match (self, pick % 3) {
            (Region::Us, 0) => format!("+1 ({area}) {head}-{tail}"),
            (Region::Us, 1) => format!("{area}-{head}-{tail}"),
            (Region::Us, _) => format!("+1{area}{local}"),
            (Region::Uk, 0) => format!("+44 {area} {head} {tail}"),
            (Region::Uk, 1) => format!("0{area} {head} {tail}"),
            (Region::Uk, _) => format!("+44 (0){area} {head} {tail}"),
            // German numbers end in the extension, set off by a hyphen.
            (Region::De, 0) => format!("+49 {area} {local}"),
            (Region::De, 1) => format!("0{area} / {}-{}", &local[..5], &local[5..]),
            (Region::De, _) => format!("+49 (0){area} {local}"),
            (Region::Fr, 0) => format!("+33 {area} {}", pairs(&local)),
            (Region::Fr, _) => format!("0{area} {}", pairs(&local)),
            (Region::Es, _) => format!(
                "+34 {area} {} {} {}",
                &local[..3],
                &local[3..5],
                &local[5..]
            ),
            (Region::Cn, 0) => format!("+86 {area} {head} {tail}"),
            (Region::Cn, _) => format!("{area}-{head}-{tail}"),
            (Region::Jp, 0) => format!("+81 {area}-{head}-{tail}"),
            (Region::Jp, _) => format!("0{area}-{head}-{tail}"),
        }
    }

    /// The national number for `serial`: in the ranges a country sets aside for fiction while
    /// they last (a default demo stays within them), then in one block beyond them that none
    /// of those overlap. Spain, China and Japan set none aside. Serials run below 4 million.
    fn number(self, serial: u32) -> Number {
        let s = serial;
        let fiction = |blocks: &[(&str, &str)], width: u32| {
            let per = 10u32.pow(width);
            let (area, prefix) = *blocks.get((s / per) as usize)?;
            Some(Number {
                area: area.to_string(),
                local: format!("{prefix}{:0w$}", s % per, w = width as usize),
            })
        };
        let beyond = |area: &str, fiction_len: usize, base: u32| Number {
            area: area.to_string(),
            local: (base + s - fiction_len as u32).to_string(),
        };
        match self {
            // 555-0100 to 555-0199 is fiction in every area code.
            Region::Us if s < US_FICTION => Number {
                area: (201 + s / 100).to_string(),
                local: format!("55501{:02}", s % 100),
            },
            Region::Us => {
                let q = s - US_FICTION;
                Number {
                    area: (201 + q / 10_000).to_string(),
                    local: format!("556{:04}", q % 10_000),
                }
            }
            Region::Uk => fiction(UK_FICTION, 3)
                .unwrap_or_else(|| beyond("20", 1_000 * UK_FICTION.len(), 70_000_000)),
            Region::De => fiction(DE_FICTION, 3)
                .unwrap_or_else(|| beyond("30", 1_000 * DE_FICTION.len(), 90_000_000)),
            Region::Fr => {
                fiction(&[("1", "9900")], 4).unwrap_or_else(|| beyond("1", 10_000, 70_000_000))
            }
            Region::Es => beyond("91", 0, 2_000_000),
            Region::Cn => beyond("138", 0, 20_000_000),
            Region::Jp => beyond("3", 0, 50_000_000),
        }
    }
}

/// Serials below this get a US number of fiction: a hundred in each of 700 area codes.
const US_FICTION: u32 = 70_000;

/// A national number: area code (without trunk 0) and the number within the area.
struct Number {
    area: String,
    local: String,
}

/// `12345678` as `12 34 56 78`, the French way.
fn pairs(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    chars
        .chunks(2)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Ofcom's numbers for drama: `0xxx` after these prefixes, a thousand in each area.
const UK_FICTION: &[(&str, &str)] = &[
    ("20", "79460"),
    ("113", "4960"),
    ("114", "4960"),
    ("115", "4960"),
    ("116", "4960"),
    ("117", "4960"),
    ("118", "4960"),
    ("121", "4960"),
    ("131", "4960"),
    ("141", "4960"),
    ("151", "4960"),
    ("161", "4960"),
    ("191", "4980"),
];

/// The Bundesnetzagentur's numbers for films and books: a thousand in each of five cities.
const DE_FICTION: &[(&str, &str)] = &[
    ("30", "23125"),
    ("69", "90009"),
    ("40", "66969"),
    ("221", "4710"),
    ("89", "99998"),
];

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
