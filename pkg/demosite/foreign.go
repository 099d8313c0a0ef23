package demosite

// Word lists and templates for the few non-English stories. Every string here
// must be representable in the language's legacy charset (iso-8859-1 has no
// typographic quotes and no euro sign; German uses »...« for that reason).

// langPack is the vocabulary of one non-English language.
type langPack struct {
	code      string // html lang
	charset   string // the legacy charset its pages may be served in
	offset    int    // minutes east of UTC for its visible dates
	tzName    string // what its visible dates call that offset
	first     []string
	authors   []string
	roles     []string
	subjects  []subject
	headlines []string
	leads     []string
	body      []string
	deks      []string
	byline    string // "%s" is the authors list
	and       string
	syll      coinSyllables
	published string // label before the visible date
	updated   string
}

// coinSyllables builds invented proper nouns (places, surnames, project
// names) that occur in one story only: the distinctive words of Manifest.
type coinSyllables struct {
	start, mid, place, surname, project []string
}

var latinSyllables = coinSyllables{
	start:   []string{"Mar", "Kes", "Ol", "Brav", "Dun", "Ell", "Fen", "Gor", "Hal", "Ist", "Jor", "Kal", "Lor", "Mir", "Nor", "Ost", "Pel", "Quen", "Ros", "Sal", "Tor", "Ul", "Val", "Wen", "Yar", "Zel", "Ard", "Bel", "Cor", "Dre", "Ev", "Hask"},
	mid:     []string{"a", "e", "i", "o", "u", "ar", "en", "il", "or", "an", "es", "ber", "ven"},
	place:   []string{"venna", "drin", "holm", "ford", "stad", "mere", "wick", "sby", "ton", "dale", "vik", "gard", "ley", "more", "burgh", "thorpe", "ris", "haven", "bridge", "field"},
	surname: []string{"sen", "berg", "ski", "ova", "ez", "ani", "ard", "ley", "mann", "ott", "ier", "ander", "ovic", "elli", "strom", "quist"},
	project: []string{"ix", "on", "ara", "ium", "ex", "ora", "is", "ent", "ax", "yn", "elle", "ano"},
}

var langPacks = map[string]*langPack{
	"de": {
		code: "de", charset: "iso-8859-1", offset: 60, tzName: "MEZ",
		first:   []string{"Anna", "Klaus", "Jörg", "Sabine", "Jürgen", "Ute", "Matthias", "Bärbel"},
		authors: []string{"Katrin Müller", "Stefan Weiß", "Günter Böhm", "Jana Köhler", "Uwe Schäfer"},
		roles:   []string{"Bürgermeister der Stadt", "Sprecher des Landesministeriums", "Vorstandschef der {project} AG", "Leiterin des Planungsamtes"},
		subjects: []subject{
			{"den Bau einer neuen Straßenbahnlinie", "Straßenbahnlinie", "verkehr"},
			{"die Sanierung des historischen Rathauses", "Rathaus-Sanierung", "stadtentwicklung"},
			{"die Erweiterung des Binnenhafens", "Hafenerweiterung", "wirtschaft"},
			{"ein neues Förderprogramm für Gründer", "Gründerförderung", "wirtschaft"},
		},
		headlines: []string{
			"{place}: Projekt {project} nimmt wichtige Hürde",
			"Streit um die {short} in {place} spitzt sich zu",
			"{person} verteidigt Pläne für {project}",
		},
		leads: []string{
			"Die Stadt {place} hat am Dienstag {subject} angekündigt, ein Vorhaben, über das seit Jahren gestritten wird.",
			"Nach monatelangen Verhandlungen hat der Stadtrat von {place} {subject} beschlossen.",
		},
		body: []string{
			"Nach Angaben von {person}, {role}, sollen die Arbeiten im kommenden Frühjahr beginnen.",
			"»Wir wollen zügig vorankommen, aber nicht um jeden Preis«, sagte {surname} bei einer Pressekonferenz.",
			"Die Kosten werden auf rund {num} Millionen Euro geschätzt, einen Teil davon übernimmt das Land.",
			"Anwohner äußerten Bedenken wegen des zu erwartenden Baulärms und der Sperrungen in der Innenstadt.",
			"Das Projekt {project} soll in den nächsten drei Jahren bis zu {num2}00 Arbeitsplätze schaffen.",
			"Die Opposition im Stadtrat kritisierte den Zeitplan als zu ehrgeizig und forderte mehr Transparenz.",
			"Eine erste Bilanz soll dem Stadtrat im Spätsommer vorgelegt werden.",
			"Bereits vor fünf Jahren hatte {place} einen ähnlichen Anlauf unternommen, der jedoch an der Finanzierung scheiterte.",
			"Laut einer Umfrage unterstützen {pct} Prozent der Bürgerinnen und Bürger das Vorhaben.",
			"Viele Händler in der Innenstadt von {place} hoffen auf neue Kundschaft, andere fürchten lange Durststrecken.",
			"Der Landkreis kündigte an, das Verfahren aufmerksam zu begleiten.",
			"Über die genaue Streckenführung wird in den kommenden Wochen öffentlich diskutiert.",
		},
		deks: []string{
			"In {place} wächst der Druck, beim Projekt {project} endlich Klarheit zu schaffen.",
			"Was die {short} für die Menschen in {place} bedeutet.",
		},
		byline: "Von %s", and: "und",
		syll: coinSyllables{
			start:   []string{"Ober", "Nieder", "Alt", "Neu", "Grün", "Stein", "Wald", "Berg", "Tal", "Roth", "Hag", "Lind", "Eich", "Mühl", "Kron"},
			mid:     []string{"", "en", "er", "el", "ing"},
			place:   []string{"hausen", "dorf", "feld", "brück", "heim", "stätt", "au", "rode"},
			surname: []string{"mann", "bauer", "meier", "huber", "wald", "ner", "städter"},
			project: []string{"ia", "on", "ex", "ar"},
		},
		published: "Veröffentlicht am", updated: "Aktualisiert am",
	},
	"fr": {
		code: "fr", charset: "iso-8859-1", offset: 60, tzName: "CET",
		first:   []string{"Jean", "Hélène", "François", "Céline", "Jérôme", "Amélie", "Benoît", "Élodie"},
		authors: []string{"Camille Lefèvre", "Rémi Garnier", "Inès Bérard", "Loïc Morin", "Hélène Faure"},
		roles:   []string{"maire de la ville", "porte-parole de la préfecture", "directeur général de {project}", "adjointe chargée de l'urbanisme"},
		subjects: []subject{
			{"la rénovation complète de la gare centrale", "rénovation de la gare", "transports"},
			{"la création d'un nouveau parc naturel", "parc naturel", "environnement"},
			{"l'agrandissement du port de commerce", "agrandissement du port", "économie"},
			{"la construction d'une grande médiathèque", "médiathèque", "culture"},
		},
		headlines: []string{
			"{place} : le projet {project} franchit une étape décisive",
			"À {place}, le dossier « {short} » divise les habitants",
			"{person} défend le projet {project} devant le conseil",
		},
		leads: []string{
			"La municipalité de {place} a annoncé mardi {subject}, un projet attendu depuis des années.",
			"Après des mois de discussions, le conseil municipal de {place} a validé {subject}.",
		},
		body: []string{
			"Selon {person}, {role}, les premiers travaux débuteront dès le printemps prochain.",
			"« Nous voulons avancer vite, mais sans sacrifier la qualité », a déclaré {surname} lors d'une conférence de presse.",
			"Le coût total est estimé à {num} millions d'euros, financés en partie par la région.",
			"Plusieurs associations de riverains ont exprimé leurs inquiétudes quant à l'impact sur l'environnement.",
			"Le projet {project} devrait créer près de {num2}00 emplois dans la région d'ici trois ans.",
			"L'opposition municipale dénonce un calendrier trop ambitieux et réclame davantage de transparence.",
			"Un premier bilan sera présenté au conseil municipal à la fin de l'été.",
			"Les habitants interrogés se montrent partagés, entre enthousiasme et scepticisme.",
			"Ce n'est pas la première fois que {place} tente de relancer ce dossier, abandonné il y a cinq ans faute de financement.",
			"D'après une étude publiée le mois dernier, {pct} % des habitants soutiennent l'initiative.",
			"Le préfet a indiqué qu'il suivrait le dossier de très près.",
			"Les commerçants du centre-ville espèrent une hausse de la fréquentation dès l'année prochaine.",
		},
		deks: []string{
			"À {place}, le projet {project} suscite espoirs et inquiétudes.",
			"Ce que le projet {project} va changer pour les habitants de {place}.",
		},
		byline: "Par %s", and: "et",
		syll: coinSyllables{
			start:   []string{"Mont", "Val", "Beau", "Saint-Ger", "Roche", "Bel", "Char", "Vill", "Cour", "Pont", "Ros", "Mar"},
			mid:     []string{"", "e", "an", "er", "ou"},
			place:   []string{"ville", "court", "mont", "fort", "lieu", "bourg", "champ", "nay"},
			surname: []string{"ier", "eau", "ard", "ot", "in", "ac", "et"},
			project: []string{"ia", "is", "éa", "on"},
		},
		published: "Publié le", updated: "Mis à jour le",
	},
	"ru": {
		code: "ru", charset: "windows-1251", offset: 180, tzName: "МСК",
		first:   []string{"Иван", "Сергей", "Алексей", "Дмитрий", "Михаил", "Андрей", "Павел", "Николай"},
		authors: []string{"Анна Смирнова", "Ольга Кузнецова", "Игорь Соколов", "Мария Волкова", "Егор Лебедев"},
		roles:   []string{"глава городской администрации", "представитель областного правительства", "генеральный директор компании {project}", "депутат городской думы"},
		subjects: []subject{
			{"строительство новой трамвайной линии", "трамвайная линия", "транспорт"},
			{"реконструкция городского театра", "реконструкция театра", "культура"},
			{"расширение речного порта", "расширение порта", "экономика"},
			{"программа поддержки малого бизнеса", "поддержка бизнеса", "экономика"},
		},
		headlines: []string{
			"В городе {place} обсуждают проект {project}",
			"{person}: проект {project} будет завершён в срок",
			"Жители города {place} спорят о проекте «{short}»",
		},
		leads: []string{
			"Власти города {place} объявили, что {subject} начнётся уже этой весной.",
			"В городе {place} после долгих обсуждений утверждён проект «{short}».",
		},
		body: []string{
			"{person}, {role}, заявил журналистам, что проект {project} остаётся главным приоритетом.",
			"«Мы рассчитываем завершить первый этап до конца года», — сказал {surname}.",
			"Стоимость работ оценивается в {num} миллионов рублей, часть средств выделит область.",
			"Эксперты отмечают, что проект может изменить жизнь тысяч жителей региона.",
			"В прошлом году аналогичная инициатива обсуждалась в городской думе, однако решение тогда так и не было принято.",
			"Представители оппозиции потребовали провести общественные слушания.",
			"Местные жители в целом поддерживают проект {project}, хотя некоторые опасаются роста цен.",
			"Окончательное решение ожидается в течение ближайших недель.",
			"Ранее {surname} неоднократно говорил о необходимости модернизации городской инфраструктуры.",
			"Согласно опросу, {pct} процентов горожан считают эту тему важной.",
			"По данным администрации, в рамках проекта будет создано около {num2}00 рабочих мест.",
			"Работы планируется вести поэтапно, чтобы не перекрывать движение в центре города {place}.",
		},
		deks: []string{
			"Жители города {place} ждут решения по проекту {project}.",
			"Что изменит проект {project} для города {place}.",
		},
		byline: "Автор: %s", and: "и",
		syll: coinSyllables{
			start:   []string{"Бор", "Вел", "Гра", "Дуб", "Зар", "Кам", "Лес", "Мир", "Нов", "Ост", "Пол", "Рад", "Сос", "Тал", "Хол", "Чер", "Яр"},
			mid:     []string{"", "о", "е", "и", "а"},
			place:   []string{"горск", "инск", "ино", "ово", "град", "поль", "ань", "ицы"},
			surname: []string{"ов", "ин", "ский", "ев", "ников", "енко"},
			project: []string{"ус", "ита", "он", "ар"},
		},
		published: "Опубликовано:", updated: "Обновлено:",
	},
	"ja": {
		code: "ja", charset: "shift_jis", offset: 540, tzName: "JST",
		first:   []string{""},
		authors: []string{"田中 健一", "佐藤 美咲", "鈴木 大輔", "高橋 由美", "渡辺 翔太"},
		roles:   []string{"市長", "市の広報担当者", "{project}社の社長", "県の担当者"},
		subjects: []subject{
			{"新しい路面電車の建設計画", "路面電車計画", "交通"},
			{"駅前の再開発事業", "駅前再開発", "都市"},
			{"港湾施設の拡張計画", "港湾拡張", "経済"},
			{"市立図書館の全面改修", "図書館改修", "文化"},
		},
		headlines: []string{
			"{place}市、「{project}」計画が重要な節目に",
			"{short}めぐり{place}市で議論続く",
			"{surname}氏、{project}計画を擁護",
		},
		leads: []string{
			"{place}市は火曜日、{subject}を発表した。長年にわたり議論されてきた事業だ。",
			"数か月にわたる協議の末、{place}市議会は{subject}を承認した。",
		},
		body: []string{
			"{role}の{surname}氏によると、工事は来年春に始まる予定だという。",
			"「できるだけ早く進めたいが、質を犠牲にするつもりはない」と{surname}氏は記者会見で述べた。",
			"総事業費は約{num}億円と見込まれており、一部は県が負担する。",
			"一部の住民からは、工事による騒音や交通規制への懸念の声も上がっている。",
			"「{project}」計画により、今後3年間で最大{num2}00人の雇用が生まれるという。",
			"市議会の野党会派は、計画のスケジュールが楽観的すぎると批判している。",
			"最初の報告は夏の終わりに市議会に提出される見通しだ。",
			"{place}市が同様の計画に取り組むのは今回が初めてではなく、5年前には資金不足で断念した経緯がある。",
			"最近の世論調査では、市民の{pct}％が計画を支持していると回答した。",
			"中心街の商店主の多くは、新たな客足に期待を寄せている。",
			"県は、手続きを注意深く見守る方針を示した。",
			"具体的なルートについては、今後数週間かけて住民説明会で議論される。",
		},
		deks: []string{
			"{place}市で「{project}」計画をめぐる議論が続いている。",
			"{short}は{place}市の暮らしをどう変えるのか。",
		},
		byline: "記者: %s", and: "、",
		syll: coinSyllables{
			start:   []string{"カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ミ", "ト", "ホ", "キ", "ソ", "ヌ"},
			mid:     []string{"", "ル", "ネ", "リ", "コ"},
			place:   []string{"ガワ", "ノ", "ヤマ", "ハラ", "ミネ"},
			surname: []string{"モト", "ダ", "ムラ", "サキ", "ゾノ"},
			project: []string{"ン", "ス", "ク", "ラ"},
		},
		published: "公開:", updated: "更新:",
	},
}
