package demosite

// English word lists and sentence templates. Slots in braces are filled per
// story by fill: {place}, {person}, {surname}, {role}, {project}, {subject},
// {short}, {org}, {org2}, {expert}, {city}, {day}, {num}, {num2}, {pct},
// {money}, {year}, {month}. The prose is deliberately plain ASCII so every
// legacy charset can carry it.

// subject is what a story is about: a noun phrase for prose, a short form for
// headlines and a tag.
type subject struct {
	np, short, tag string
}

// sectionPack is the vocabulary of one section.
type sectionPack struct {
	slug, name string
	subjects   []subject
	orgs       []string
	roles      []string
	headlines  []string
	details    []string
}

var firstNames = []string{
	"Jane", "John", "Maria", "Ahmed", "Priya", "Lucas", "Sofia", "Daniel", "Amara", "Kenji",
	"Elena", "Tomasz", "Grace", "Omar", "Ingrid", "Rafael", "Chloe", "Samuel", "Leila", "Viktor",
	"Hannah", "Diego", "Nadia", "Peter", "Aisha", "Marco", "Yuki", "Olivia", "Felix", "Zara",
	"Ruth", "Andrei", "Claire", "Kwame", "Lena", "Mateo", "Irene", "Hugo", "Fatima", "Oscar",
}

var lastNames = []string{
	"Doe", "Roe", "Lopez", "Khan", "Sharma", "Meyer", "Rossi", "Novak", "Okafor", "Tanaka",
	"Petrova", "Kowalski", "Walsh", "Haddad", "Larsen", "Silva", "Dubois", "Brennan", "Farah", "Ivanov",
	"Fischer", "Moreno", "Chen", "Hughes", "Bello", "Conti", "Sato", "Byrne", "Weber", "Ali",
	"Foster", "Popescu", "Martin", "Mensah", "Berg", "Castillo", "Greco", "Laurent", "Nasser", "Lind",
}

var cities = []string{
	"Lisbon", "Nairobi", "Toronto", "Melbourne", "Oslo", "Valparaiso", "Krakow", "Cape Town",
	"Edinburgh", "Bangalore", "Montreal", "Leiden", "Porto", "Tartu", "Bologna", "Aarhus",
}

var weekdays = []string{"on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday", "late on Tuesday", "early on Friday"}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

var agencies = []string{"Reuters", "AP", "AFP"}

var sectionPacks = []sectionPack{
	{
		slug: "world", name: "World",
		subjects: []subject{
			{"talks on a cross-border water-sharing treaty", "water treaty talks", "diplomacy"},
			{"a fragile ceasefire along the northern frontier", "ceasefire", "conflict"},
			{"relief convoys after the worst flooding in decades", "flood relief", "disasters"},
			{"a disputed regional election", "disputed vote", "elections"},
			{"a new trade corridor through the mountain passes", "trade corridor", "trade"},
			{"the return of thousands of displaced families", "refugee returns", "migration"},
			{"a port security agreement with neighbouring states", "port security pact", "diplomacy"},
		},
		orgs:  []string{"the foreign ministry", "the regional assembly", "the United Nations refugee agency", "the interior ministry", "an observer mission from the regional security bloc", "the national red cross society"},
		roles: []string{"the deputy foreign minister", "the governor of the province", "a senior envoy to the talks", "the regional prime minister", "the leader of the opposition bloc"},
		headlines: []string{
			"{place} envoys resume {short} as pressure mounts",
			"Crowds gather in {place} over {short}",
			"{person} warns {short} could stall without outside help",
			"Neighbours weigh {short} after {place} talks end without deal",
		},
		details: []string{
			"Convoys carrying food and medicine were seen crossing the bridge outside {place} before dawn, according to local officials.",
			"Diplomats described the atmosphere in the room as tense but businesslike, with both delegations exchanging written proposals.",
			"Roads into {place} were reopened for the first time in nine days, allowing aid workers to reach outlying villages.",
			"The agreement, if signed, would be the first of its kind between the two governments in more than a decade.",
		},
	},
	{
		slug: "politics", name: "Politics",
		subjects: []subject{
			{"a long-delayed pension reform bill", "pension reform", "pensions"},
			{"next year's budget", "budget vote", "budget"},
			{"a redrawn electoral map", "electoral map", "elections"},
			{"coalition talks that have dragged on since the spring", "coalition talks", "coalition"},
			{"a new anti-corruption commission", "anti-corruption push", "corruption"},
			{"an affordable housing bill", "housing bill", "housing"},
		},
		orgs:  []string{"parliament's finance committee", "the electoral commission", "the ruling coalition", "the opposition alliance", "the constitutional court", "the national audit office"},
		roles: []string{"the finance minister", "the speaker of parliament", "the party's chief whip", "a senior member of the opposition", "the deputy prime minister"},
		headlines: []string{
			"Lawmakers clash over {short} in late-night session",
			"{person} signals compromise on {short}",
			"{place} district becomes test case for {short}",
			"Polls tighten in {place} as voters split over {short}",
		},
		details: []string{
			"The debate ran past midnight, with several members of the governing parties breaking ranks to abstain.",
			"Opinion polls published this week show the governing parties trailing by a narrow margin.",
			"The committee is due to publish its amended text before the summer recess.",
			"Campaigners handed in a petition signed by more than {num2},000 people outside the parliament building.",
		},
	},
	{
		slug: "business", name: "Business",
		subjects: []subject{
			{"weaker than expected quarterly earnings", "earnings miss", "earnings"},
			{"a takeover bid for a rival shipping group", "takeover bid", "mergers"},
			{"a new battery factory on the edge of town", "battery plant", "industry"},
			{"job cuts at its packaging division", "job cuts", "jobs"},
			{"the central bank's latest interest rate decision", "rate decision", "economy"},
			{"a record green bond sale", "green bond sale", "markets"},
		},
		orgs:  []string{"the central bank", "the competition regulator", "the stock exchange", "the workers' union", "a group of institutional investors", "the chamber of commerce"},
		roles: []string{"chief executive of {project} Holdings", "chief financial officer at {project} Group", "the economy minister", "head of the regional business federation", "a portfolio manager at {project} Capital"},
		headlines: []string{
			"{project} shares slide after {short}",
			"{project} Holdings bets on {place} with {short}",
			"Investors cheer {short} as {project} lifts outlook",
			"{place} workers brace for {short} at {project}",
		},
		details: []string{
			"Shares in {project} fell {pct} percent in early trading before recovering some of their losses by the close.",
			"Analysts had expected revenue of about {money}, according to a poll of brokers compiled before the announcement.",
			"The company said it would keep its dividend unchanged and review its spending plans in the autumn.",
			"The deal still needs approval from the competition regulator, which has raised concerns about similar mergers in the past.",
		},
	},
	{
		slug: "tech", name: "Tech",
		subjects: []subject{
			{"a sweeping data-privacy bill", "data-privacy bill", "privacy"},
			{"a satellite broadband service for rural areas", "satellite broadband", "telecoms"},
			{"a new chip plant", "chip plant", "semiconductors"},
			{"a nationwide outage of a popular payment app", "payment app outage", "outages"},
			{"an AI model that forecasts local weather", "AI weather model", "artificial intelligence"},
			{"a security flaw in widely used open-source software", "open-source flaw", "cybersecurity"},
		},
		orgs:  []string{"the data protection authority", "the telecoms regulator", "a consortium of chipmakers", "the national cyber security centre", "a coalition of consumer groups"},
		roles: []string{"chief technology officer at {project} Labs", "the digital affairs minister", "a security researcher at {project}", "the founder of {project}", "head of engineering at {project} Systems"},
		headlines: []string{
			"{project} unveils {short} in {place}",
			"Regulators probe {project} over {short}",
			"{short}: what {place} users need to know",
			"{person} says {short} will reach {place} by next year",
		},
		details: []string{
			"The company said the problem affected a small share of users and that no payment data had been exposed.",
			"Engineers at {project} said the system had been tested on more than {num2},000 devices before launch.",
			"Privacy advocates said the rules did not go far enough to limit how long personal data can be stored.",
			"A patch was released within hours, and administrators were urged to install it as soon as possible.",
		},
	},
	{
		slug: "science", name: "Science",
		subjects: []subject{
			{"a deep-sea survey of the continental shelf", "deep-sea survey", "oceans"},
			{"a late-stage vaccine trial", "vaccine trial", "health"},
			{"rare observations of a returning comet", "comet sighting", "space"},
			{"a drought-resistant strain of wheat", "drought-resistant wheat", "agriculture"},
			{"new measurements of glacier retreat", "glacier retreat", "climate"},
			{"a milestone in a fusion experiment", "fusion milestone", "energy"},
		},
		orgs:  []string{"the national space agency", "the university's medical faculty", "the meteorological office", "a team of marine biologists", "the national academy of sciences"},
		roles: []string{"lead author of the study", "director of the {project} observatory", "a climate scientist at the university", "a professor of epidemiology", "head of the {project} research programme"},
		headlines: []string{
			"Scientists hail {short} near {place}",
			"{project} team reports {short}",
			"{short} raises new questions, {place} researchers say",
			"Inside the {project} lab chasing {short}",
		},
		details: []string{
			"The findings were published in a peer-reviewed journal and have not yet been replicated by other groups.",
			"Researchers collected samples at {num} sites over three seasons, working mostly at night.",
			"The instruments recorded changes that were about {pct} percent larger than earlier models had predicted.",
			"Funding for the second phase of the work has not yet been confirmed.",
		},
	},
	{
		slug: "sport", name: "Sport",
		subjects: []subject{
			{"Saturday's cup final", "cup final", "football"},
			{"the transfer of their star striker", "striker transfer", "transfers"},
			{"a new course record at the city marathon", "marathon record", "athletics"},
			{"a tense relegation battle", "relegation fight", "football"},
			{"a five-set tennis semifinal", "tennis semifinal", "tennis"},
			{"the renovation of the old stadium", "stadium revamp", "stadiums"},
		},
		orgs:  []string{"the league", "the national federation", "the club's board", "the anti-doping agency", "the supporters' trust"},
		roles: []string{"the head coach of {place} United", "the club captain", "the team's sporting director", "a veteran goalkeeper", "the chairman of {project} Athletic"},
		headlines: []string{
			"{place} United edge closer after {short}",
			"{person} keeps cool as {short} looms",
			"{project} Athletic fans react to {short}",
			"Late drama in {place} as {short} goes to the wire",
		},
		details: []string{
			"The winning goal came in the {num2}th minute, a low shot that slipped under the goalkeeper's arm.",
			"More than {num2},000 supporters packed the stands despite heavy rain before kick-off.",
			"The side have now won {num} of their last ten matches in all competitions.",
			"Ticket prices for the next home game were frozen after protests from the supporters' trust.",
		},
	},
	{
		slug: "culture", name: "Culture",
		subjects: []subject{
			{"the opening night of the film festival", "film festival", "film"},
			{"the reopening of the city museum", "museum reopening", "museums"},
			{"a restored opera house", "opera house restoration", "music"},
			{"a retrospective of a local sculptor's work", "sculpture retrospective", "art"},
			{"this year's literary prize shortlist", "literary prize", "books"},
			{"a summer music festival by the river", "river music festival", "music"},
		},
		orgs:  []string{"the ministry of culture", "the city's arts council", "the festival jury", "the national library", "a foundation of local patrons"},
		roles: []string{"the festival director", "the museum's chief curator", "the novelist", "the conductor of the {project} Orchestra", "the artistic director of the {project} Theatre"},
		headlines: []string{
			"{place} celebrates {short} with packed programme",
			"{person} on {short} and the art of starting again",
			"Review: {short} puts {place} back on the map",
			"{project} Theatre leads the way in {short}",
		},
		details: []string{
			"Tickets for the opening weekend sold out within hours, organisers said.",
			"The programme includes {num} premieres and a series of free concerts in the old market square.",
			"Restorers spent almost two years repairing the painted ceiling, much of it by hand.",
			"Critics praised the lighting and staging, though some found the second half too long.",
		},
	},
}

// opinionPack is the vocabulary of columns: first person, argued prose.
var opinionPack = sectionPack{
	slug: "opinion", name: "Opinion",
	headlines: []string{
		"Why {place} cannot afford to ignore {short}",
		"The quiet cost of {short}",
		"{short} is a debate we keep postponing",
		"What {place} taught me about {short}",
		"Stop pretending {short} will fix itself",
	},
}

var leadTemplates = []string{
	"Officials in {place} announced {subject} {day}, a move that {org} said could shape the region's plans for years to come.",
	"{person}, {role}, said {day} that {subject} would go ahead in {place} despite strong objections from {org}.",
	"The authorities in {place} have promised swift progress on {subject}, according to documents seen by this newspaper.",
	"Pressure grew on {org} {day} after {subject} in {place} drew criticism from residents and business leaders alike.",
	"A plan linked to {subject} took a decisive step forward in {place} {day}, as {org} backed the {project} proposal.",
	"{subject} dominated discussions in {place} {day}, with {person} calling for patience while the {project} review continues.",
}

var bodyTemplates = []string{
	"\"We have worked on this for a long time and we are not going to rush the final stage,\" {surname} told reporters in {place}.",
	"\"This is not the end of the process, it is the beginning,\" said {person}, adding that further details would follow within weeks.",
	"\"People here want answers, and they deserve them,\" {surname} said in a statement released by {org}.",
	"\"The numbers speak for themselves,\" {surname} said. \"We simply cannot keep doing things the old way.\"",
	"{expert}, who has followed the issue closely, said the outcome would depend largely on how {org2} responds.",
	"According to {expert}, similar efforts in {city} took nearly twice as long as originally planned.",
	"The {project} proposal has been discussed in {place} since {year}, but earlier versions were shelved after funding fell through.",
	"The first phase is expected to cost around {money}, with {org2} covering part of the bill.",
	"A survey published in {month} found that {pct} percent of residents in {place} supported the plan, while a sizeable minority remained undecided.",
	"Critics argue that the timetable is unrealistic and that smaller communities around {place} have not been properly consulted.",
	"{org2} said it would study the details carefully before taking a position, a response that some observers read as cautious support.",
	"Several local groups in {place} have called for a public hearing, saying the decision was made behind closed doors.",
	"The debate over {short} has exposed old divisions between the city and the surrounding countryside.",
	"Supporters of the {project} plan point to the success of a pilot scheme that ran for {num} months last year.",
	"Opponents say the benefits have been overstated and warn that costs could rise by as much as {pct} percent.",
	"Officials declined to say whether the schedule could slip, citing ongoing negotiations with {org2}.",
	"In {month}, {surname} described {short} as \"the most important decision this region will take in a generation\".",
	"The {project} name has become shorthand in {place} for the wider argument about who pays and who benefits.",
	"Residents interviewed on the main square in {place} gave mixed reactions, with older people generally more sceptical.",
	"Records show that {num} similar proposals were filed over the past decade, though only one reached the final stage.",
	"A spokesperson for {org} said the process had been \"open and transparent from the very start\".",
	"The {place} chamber of commerce welcomed the news, saying it expected around {num2}00 new jobs in the next three years.",
	"Some economists warned that the figures relied on optimistic assumptions about growth and interest rates.",
	"{surname} has faced criticism before, most notably during a dispute with {org2} over a separate project in {year}.",
	"Independent auditors are expected to review the {project} accounts before the end of the year.",
	"Talks between the two sides resumed {day} after a pause of nearly {num} weeks.",
	"Local media in {place} reported that the plan had already changed several times in recent months.",
	"It was not immediately clear how the announcement would affect ongoing negotiations with {org2}.",
}

var outlookTemplates = []string{
	"A final decision is expected before the end of {month}, officials said.",
	"{org} is due to publish a full report on {short} in the coming weeks.",
	"The next round of talks is scheduled to take place in {city} later this month.",
	"Whatever the outcome, the {project} debate is likely to remain at the centre of politics in {place} for some time.",
	"{surname} said {org} would give an update once the review of {short} is complete.",
}

var opinionTemplates = []string{
	"I have lived in {place} for most of my adult life, and I have rarely seen an argument as heated as the one over {short}.",
	"Let me be clear: nobody I know is against progress, but progress that ignores the people it is meant to serve is not progress at all.",
	"The {project} plan was sold to us as a bargain, and we are only now beginning to read the small print.",
	"When I spoke to {person} last month, the answer to almost every question was that the details were still being worked out.",
	"It is tempting to blame {org} for all of this, but the truth is that we, the voters, kept looking the other way.",
	"There is a better path, and it starts with admitting that the old assumptions about {short} no longer hold.",
	"Other cities have faced the same choice. In {city}, they took their time, listened, and ended up with something people actually use.",
	"I am not naive about the costs. Estimates of {money} are almost certainly too low, as they always are.",
	"The loudest voices in this debate are rarely the ones who will live with the consequences.",
	"If {place} gets this wrong, our children will be paying for it long after the speeches are forgotten.",
	"So here is a modest proposal: publish every document, hold the hearings, and let the {project} plan stand or fall in the open.",
	"Nobody should pretend this is easy. But difficult is not the same as impossible, and we have solved harder problems before.",
	"I asked {expert} what she would do differently. Her answer was simple: start with the people who have the least to gain.",
	"We will hear a great deal in the coming months about efficiency and modernisation. We should also hear about fairness.",
}

var dekTemplates = []string{
	"Officials in {place} say {short} could reshape the region, but critics warn of rising costs.",
	"The {project} plan faces its toughest test yet as {org} weighs in.",
	"Residents of {place} are divided over {short}. Here is what happens next.",
	"{person} insists the timetable will hold despite growing doubts.",
	"A closer look at {short} and what it means for {place}.",
	"Supporters call it overdue; opponents say the {project} deal was rushed.",
	"Why the {short} matters far beyond {place}, in five questions.",
	"{org} is under pressure to act before the deadline.",
	"The {project} decision could set a precedent for the whole region.",
	"Critics say the plan for {place} ignores the people most affected.",
	"{person} faces a difficult few weeks as the {project} row deepens.",
	"After months of delay, {place} finally has a date for {short}.",
	"What we know so far about {short}, and what we still do not.",
	"The fight over {short} in {place} is really a fight about money.",
}

var captionTemplates = []string{
	"A view of the old town in {place}, where the {project} plan has divided opinion.",
	"{person} speaks to journalists in {place}.",
	"People walk past a poster about {short} in central {place}.",
	"Representative image.",
	"The main square in {place} on a quiet morning.",
}

var photoCredits = []string{"Demo Photo Desk", "Staff Photographer", "Reuters", "AP Photo", "File photo", "News Desk"}

var commentTexts = []string{
	"Finally some good news for this town. About time.",
	"I will believe it when I see it. We have heard these promises before.",
	"Great reporting, thank you for explaining the numbers so clearly.",
	"Who is actually paying for this? The article does not say.",
	"My family has lived here for three generations and nobody asked us.",
	"This is exactly the kind of thing the council should have done years ago.",
	"Interesting piece, but the headline is a bit misleading in my opinion.",
	"Does anyone know when the public hearing will be held?",
}

var commentHandles = []string{"riverwalker", "m.keane", "oldtowner", "Sam_74", "northbank", "quietreader", "JKL", "patricia.w", "thecommuter", "ed_from_the_hills"}

var siteNames = []string{
	"The Daily Demo", "Harbor City Herald", "Northgate Courier", "The Evening Ledger",
	"Meridian Post", "Riverside Chronicle", "The Lantern Gazette", "Westmoor Times",
	"Coastline Dispatch", "The Granite Observer",
}

var opinionBios = []string{
	"{author} is a columnist and former city councillor. She writes about local politics and public money.",
	"{author} writes a weekly column on economics and everyday life. He previously worked as a teacher for fifteen years.",
	"{author} is a contributing writer whose essays on cities and culture have appeared in several publications.",
}

var staffBios = []string{
	"{author} is a senior correspondent covering {section} news. Before joining {site}, she reported from three continents.",
	"{author} has covered {section} for {site} since 2016 and is based in the newsroom's regional bureau.",
	"{author} is a reporter on the {section} desk. Send tips and corrections through the contact page.",
}
