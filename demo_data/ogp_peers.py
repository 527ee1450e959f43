"""DEMONSTRATION DATA: commitments of other OGP members, for the similar-commitments aid.

Written for this project in the style of public OGP commitments (titles and texts paraphrase the
kinds of commitment members make; none is copied from a real plan). Members are real OGP members;
ids, texts, dates and every IRM verdict here are invented, and the rows carry no OGP page link.
Grouped by theme: the labelled queries of `benchmarks/similarity_queries.json` expect, for each
theme, the commitments listed under it.
"""

from __future__ import annotations

# member name, code, region, national/local, language
MEMBERS = {
    "CL": ("Chile", "CHL", "Americas", "National", "es"),
    "CO": ("Colombia", "COL", "Americas", "National", "es"),
    "MX": ("Mexico", "MEX", "Americas", "National", "es"),
    "AR": ("Argentina", "ARG", "Americas", "National", "es"),
    "PE": ("Peru", "PER", "Americas", "National", "es"),
    "UY": ("Uruguay", "URY", "Americas", "National", "es"),
    "PY": ("Paraguay", "PRY", "Americas", "National", "es"),
    "GT": ("Guatemala", "GTM", "Americas", "National", "es"),
    "DO": ("Dominican Republic", "DOM", "Americas", "National", "es"),
    "CR": ("Costa Rica", "CRI", "Americas", "National", "es"),
    "BR": ("Brazil", "BRA", "Americas", "National", "pt"),
    "CA": ("Canada", "CAN", "Americas", "National", "en"),
    "US": ("United States", "USA", "Americas", "National", "en"),
    "ES": ("Spain", "ESP", "Europe", "National", "es"),
    "PT": ("Portugal", "PRT", "Europe", "National", "pt"),
    "FR": ("France", "FRA", "Europe", "National", "fr"),
    "UK": ("United Kingdom", "GBR", "Europe", "National", "en"),
    "IE": ("Ireland", "IRL", "Europe", "National", "en"),
    "FI": ("Finland", "FIN", "Europe", "National", "en"),
    "EE": ("Estonia", "EST", "Europe", "National", "en"),
    "NL": ("Netherlands", "NLD", "Europe", "National", "en"),
    "DE": ("Germany", "DEU", "Europe", "National", "en"),
    "IT": ("Italy", "ITA", "Europe", "National", "en"),
    "UA": ("Ukraine", "UKR", "Europe", "National", "en"),
    "GE": ("Georgia", "GEO", "Europe", "National", "en"),
    "AM": ("Armenia", "ARM", "Europe", "National", "en"),
    "NG": ("Nigeria", "NGA", "Africa and the Middle East", "National", "en"),
    "KE": ("Kenya", "KEN", "Africa and the Middle East", "National", "en"),
    "GH": ("Ghana", "GHA", "Africa and the Middle East", "National", "en"),
    "MA": ("Morocco", "MAR", "Africa and the Middle East", "National", "fr"),
    "TN": ("Tunisia", "TUN", "Africa and the Middle East", "National", "fr"),
    "CI": ("Côte d'Ivoire", "CIV", "Africa and the Middle East", "National", "fr"),
    "SN": ("Senegal", "SEN", "Africa and the Middle East", "National", "fr"),
    "PH": ("Philippines", "PHL", "Asia and the Pacific", "National", "en"),
    "ID": ("Indonesia", "IDN", "Asia and the Pacific", "National", "en"),
    "NZ": ("New Zealand", "NZL", "Asia and the Pacific", "National", "en"),
    "AU": ("Australia", "AUS", "Asia and the Pacific", "National", "en"),
    "KR": ("Republic of Korea", "KOR", "Asia and the Pacific", "National", "en"),
    "MN": ("Mongolia", "MNG", "Asia and the Pacific", "National", "en"),
    "BUE": ("Buenos Aires, Argentina", "BUE", "Americas", "Local", "es"),
    "MAD": ("Madrid, Spain", "MAD", "Europe", "Local", "es"),
    "PAR": ("Paris, France", "PAR", "Europe", "Local", "fr"),
    "JAL": ("Jalisco, Mexico", "JAL", "Americas", "Local", "es"),
    "BOG": ("Bogotá, Colombia", "BOG", "Americas", "Local", "es"),
    "SCO": ("Scotland, United Kingdom", "SCO", "Europe", "Local", "en"),
}

# theme: [(member prefix, title, text, policy areas)]
THEMES: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "algorithms": [
        (
            "CL",
            "Transparencia algorítmica en el sector público",
            "Crear un registro público de los sistemas de decisión automatizada e inteligencia artificial que usan los servicios públicos, con su propósito, datos y responsables.",
            ["Automated Decision-making", "Digital Governance"],
        ),
        (
            "NL",
            "Algorithm register for government",
            "Publish an algorithm register describing the algorithms and AI systems central government uses in decisions that affect citizens, with impact assessments.",
            ["Automated Decision-making"],
        ),
        (
            "FR",
            "Transparence des algorithmes publics",
            "Publier l'inventaire des algorithmes utilisés par les administrations pour prendre des décisions individuelles et expliquer leurs règles aux usagers.",
            ["Automated Decision-making", "Digital Governance"],
        ),
        (
            "NZ",
            "Algorithm charter for Aotearoa New Zealand",
            "Agencies commit to a charter on the safe and transparent use of algorithms and artificial intelligence, with public reporting on how they are used.",
            ["Automated Decision-making"],
        ),
    ],
    "beneficial_ownership": [
        (
            "UK",
            "Beneficial ownership transparency",
            "Extend the public register of people with significant control over companies and verify the identity of the real owners behind companies.",
            ["Beneficial Ownership", "Anti-Corruption and Integrity"],
        ),
        (
            "NG",
            "Public register of beneficial owners",
            "Establish a central, public register of the beneficial owners of companies bidding for public contracts and extractive licences.",
            ["Beneficial Ownership"],
        ),
        (
            "AM",
            "Disclosure of beneficial owners in the mining sector",
            "Require mining companies to disclose their ultimate beneficial owners in an open, machine-readable register.",
            ["Beneficial Ownership", "Extractive Industries"],
        ),
        (
            "PY",
            "Registro de beneficiarios finales de personas jurídicas",
            "Implementar el registro administrativo de beneficiarios finales de sociedades y hacerlo accesible a las autoridades y a la ciudadanía.",
            ["Beneficial Ownership"],
        ),
    ],
    "open_contracting": [
        (
            "CO",
            "Contratación pública abierta con el estándar de datos",
            "Publicar todas las etapas de la contratación pública en formato abierto según el Estándar de Datos de Contrataciones Abiertas (OCDS).",
            ["Open Contracting", "Public Procurement"],
        ),
        (
            "UA",
            "Open procurement system ProZorro",
            "Publish all public procurement data from planning to contract execution in the Open Contracting Data Standard and enable civic monitoring.",
            ["Open Contracting", "Public Procurement"],
        ),
        (
            "KE",
            "Open contracting for public procurement",
            "Disclose procurement plans, tenders, awards and contract implementation data on a public portal in open formats.",
            ["Open Contracting", "Public Procurement"],
        ),
        (
            "PT",
            "Contratação pública aberta",
            "Disponibilizar os dados dos contratos públicos em formato aberto, desde o anúncio até à execução, para o acompanhamento pelos cidadãos.",
            ["Open Contracting", "Public Procurement"],
        ),
    ],
    "participatory_budgeting": [
        (
            "PT",
            "Orçamento participativo nacional",
            "Os cidadãos propõem e votam projetos de investimento público financiados por uma parte do orçamento do Estado.",
            ["Public Participation In Budget/Fiscal Policy"],
        ),
        (
            "MAD",
            "Presupuestos participativos de la ciudad",
            "Los vecinos proponen y votan en línea proyectos de gasto para sus distritos con una parte del presupuesto municipal.",
            ["Public Participation In Budget/Fiscal Policy", "Subnational"],
        ),
        (
            "PAR",
            "Budget participatif parisien",
            "Les habitants proposent et votent chaque année des projets financés par une part du budget d'investissement de la ville.",
            ["Public Participation In Budget/Fiscal Policy", "Subnational"],
        ),
        (
            "KR",
            "Citizen participatory budgeting system",
            "Expand the system through which citizens propose and select national budget projects, with deliberation by a citizen committee.",
            ["Public Participation In Budget/Fiscal Policy"],
        ),
    ],
    "access_to_information": [
        (
            "GH",
            "Implementation of the Right to Information Act",
            "Set up information units in public institutions, train officers and publish annual reports on requests received and answered.",
            ["Right To Information"],
        ),
        (
            "GT",
            "Fortalecer el cumplimiento de la Ley de Acceso a la Información Pública",
            "Capacitar a los sujetos obligados y crear un sistema de seguimiento de las solicitudes de información y de sus respuestas.",
            ["Right To Information", "Capacity Building"],
        ),
        (
            "TN",
            "Mise en œuvre du droit d'accès à l'information",
            "Renforcer l'instance d'accès à l'information et publier de manière proactive les documents administratifs.",
            ["Right To Information"],
        ),
        (
            "PH",
            "Freedom of Information program in the executive",
            "Institutionalise freedom of information in executive agencies through an electronic FOI request portal and people's manuals.",
            ["Right To Information"],
        ),
    ],
    "open_parliament": [
        (
            "EE",
            "More open and transparent law-making",
            "Make the drafting of laws visible from the first idea, with an online system where citizens follow and comment on draft legislation.",
            ["Participation in Lawmaking", "Open Parliaments"],
        ),
        (
            "GE",
            "Platform for participating in the legislative process",
            "Create an online platform of parliament where citizens can propose, comment on and follow draft laws.",
            ["Open Parliaments", "Participation in Lawmaking"],
        ),
        (
            "JAL",
            "Plataforma digital de participación ciudadana en la construcción de leyes",
            "Habilitar una plataforma en la que la ciudadanía opine sobre iniciativas de ley y conozca cómo se tomaron en cuenta sus aportes.",
            ["Participation in Lawmaking", "Subnational"],
        ),
        (
            "CL",
            "Consulta.Lex: consulta pública de anteproyectos de ley",
            "Poner a disposición la plataforma Consulta.Lex para que la ciudadanía comente los anteproyectos de ley y reglamentos antes de su envío al Congreso.",
            ["Participation in Lawmaking", "Regulatory Governance"],
        ),
    ],
    "extractives": [
        (
            "PE",
            "Transparencia en las industrias extractivas (EITI)",
            "Publicar los pagos de las empresas mineras y petroleras al Estado y su uso por los gobiernos regionales según el estándar EITI.",
            ["Extractive Industries"],
        ),
        (
            "MN",
            "Extractive industries transparency and contract disclosure",
            "Disclose mining licences and contracts and report revenues from the extractive sector under the EITI standard.",
            ["Extractive Industries"],
        ),
        (
            "SN",
            "Transparence dans la gestion des ressources pétrolières et gazières",
            "Publier les contrats pétroliers et miniers et les revenus tirés des ressources naturelles, conformément à la norme ITIE.",
            ["Extractive Industries"],
        ),
        (
            "CO",
            "Datos abiertos de regalías y proyectos mineros",
            "Publicar en datos abiertos la información sobre regalías del sector minero-energético y los proyectos que financian.",
            ["Extractive Industries", "Open Data"],
        ),
    ],
    "fiscal_transparency": [
        (
            "DO",
            "Portal de transparencia fiscal",
            "Publicar el presupuesto, su ejecución mensual y la deuda pública en un portal con datos abiertos y una versión ciudadana.",
            ["Fiscal Openness", "Publication Of Budget/Fiscal Information"],
        ),
        (
            "ID",
            "Open budget data for citizens",
            "Publish the national budget and its execution in open data with a citizens' budget that explains spending in plain language.",
            ["Publication Of Budget/Fiscal Information", "Fiscal Openness"],
        ),
        (
            "CI",
            "Budget citoyen et publication des documents budgétaires",
            "Publier les documents budgétaires clés dans les délais et produire un budget citoyen compréhensible par tous.",
            ["Publication Of Budget/Fiscal Information"],
        ),
        (
            "BR",
            "Transparência da execução orçamentária",
            "Ampliar o portal da transparência com dados detalhados da execução do orçamento federal e das transferências.",
            ["Publication Of Budget/Fiscal Information"],
        ),
    ],
    "lobbying": [
        (
            "IE",
            "Regulation of lobbying register",
            "Strengthen the online register of lobbying so that contacts between lobbyists and designated public officials are published.",
            ["Lobbying"],
        ),
        (
            "AR",
            "Registro único de audiencias de gestión de intereses",
            "Publicar en un registro abierto las audiencias de funcionarios con representantes de intereses particulares.",
            ["Lobbying", "Anti-Corruption and Integrity"],
        ),
        (
            "FI",
            "Transparency register of lobbying",
            "Establish a transparency register in which lobbyists declare their contacts with parliament and ministries.",
            ["Lobbying"],
        ),
        (
            "MX",
            "Registro de cabilderos y agendas públicas",
            "Transparentar las agendas de servidores públicos y las reuniones con cabilderos en un padrón público.",
            ["Lobbying"],
        ),
    ],
    "asset_declarations": [
        (
            "UA",
            "Electronic asset declarations of public officials",
            "Publish the electronic declarations of assets and interests of public officials and verify them automatically.",
            ["Asset Disclosure", "Conflicts Of Interest"],
        ),
        (
            "AR",
            "Declaraciones juradas patrimoniales en datos abiertos",
            "Publicar las declaraciones juradas patrimoniales de los funcionarios en formato abierto y reutilizable.",
            ["Asset Disclosure"],
        ),
        (
            "MN",
            "Conflict of interest declarations system",
            "Move declarations of private interests of officials online and open them to public scrutiny.",
            ["Conflicts Of Interest", "Asset Disclosure"],
        ),
        (
            "KE",
            "Public access to wealth declarations",
            "Amend regulations so that declarations of income, assets and liabilities of public officers can be accessed by the public.",
            ["Asset Disclosure"],
        ),
    ],
    "whistleblowers": [
        (
            "IE",
            "Protected disclosures for whistleblowers",
            "Review the protected disclosures law and provide a safe channel and legal protection for workers who report wrongdoing.",
            ["Whistleblower Protections"],
        ),
        (
            "ES",
            "Protección de las personas denunciantes de corrupción",
            "Aprobar la ley de protección de las personas que informen sobre infracciones y crear una autoridad independiente que las proteja.",
            ["Whistleblower Protections", "Anti-Corruption and Integrity"],
        ),
        (
            "GH",
            "Whistleblower reward and protection",
            "Operationalise the whistleblower act with a reward fund and a confidential reporting line for citizens who expose corruption.",
            ["Whistleblower Protections"],
        ),
        (
            "FR",
            "Protection des lanceurs d'alerte",
            "Renforcer les garanties des lanceurs d'alerte qui signalent des atteintes à l'intérêt général et simplifier les canaux de signalement.",
            ["Whistleblower Protections"],
        ),
    ],
    "open_justice": [
        (
            "CR",
            "Publicación de sentencias judiciales en datos abiertos",
            "Publicar las sentencias y resoluciones del Poder Judicial en un repositorio abierto, anonimizadas y fáciles de buscar.",
            ["Open Justice", "Judiciary"],
        ),
        (
            "AR",
            "Justicia abierta: datos de los tribunales",
            "Publicar datos abiertos sobre causas, tiempos procesales y estadísticas de los tribunales federales.",
            ["Open Justice", "Judiciary"],
        ),
        (
            "IT",
            "Open justice data and court performance",
            "Publish open data on court caseloads, duration of trials and performance of judicial offices.",
            ["Open Justice", "Judiciary"],
        ),
        (
            "PH",
            "Access to court decisions",
            "Provide free online access to decisions of the courts and to case status for parties and the public.",
            ["Open Justice", "Access to Justice"],
        ),
    ],
    "policing": [
        (
            "US",
            "Open police data on use of force",
            "Encourage police departments to publish open data on use of force, stops and complaints against officers.",
            ["Policing & Corrections"],
        ),
        (
            "UK",
            "Transparency of stop and search by police",
            "Publish data on stop and search by police forces with outcomes, to build trust and accountability.",
            ["Policing & Corrections"],
        ),
        (
            "MX",
            "Transparencia en el uso de la fuerza policial",
            "Publicar datos sobre el uso de la fuerza por parte de las policías y los mecanismos de queja ciudadana.",
            ["Policing & Corrections", "Security & Public Safety"],
        ),
        (
            "CA",
            "Transparency of public safety agencies",
            "Release data on complaints, investigations and outcomes of oversight bodies for policing and public safety agencies.",
            ["Policing & Corrections"],
        ),
    ],
    "climate": [
        (
            "CR",
            "Transparencia del financiamiento climático",
            "Crear un sistema de seguimiento público del financiamiento climático recibido y de las acciones de mitigación y adaptación.",
            ["Climate Finance", "Environment & Climate"],
        ),
        (
            "DE",
            "Open data on climate action",
            "Publish data on greenhouse gas emissions and the progress of climate protection measures in open formats.",
            ["Climate Mitigation and Adaptation", "Environment & Climate"],
        ),
        (
            "MA",
            "Transparence de la finance climat",
            "Publier les financements climatiques et associer la société civile au suivi des projets d'adaptation au changement climatique.",
            ["Climate Finance"],
        ),
        (
            "SCO",
            "Public participation in climate change policy",
            "Involve citizens through a climate assembly in shaping policy on climate change and report on the government's response.",
            ["Climate Mitigation and Adaptation", "Public Participation"],
        ),
    ],
    "water": [
        (
            "KE",
            "Open data and accountability for water services",
            "Publish data on water service provision and let citizens report failures in water and sanitation services.",
            ["Water & Sanitation"],
        ),
        (
            "PE",
            "Participación ciudadana en la gestión del agua",
            "Fortalecer los consejos de recursos hídricos de cuenca con participación ciudadana y publicar información sobre el uso del agua.",
            ["Water & Sanitation", "Environment & Climate"],
        ),
        (
            "MA",
            "Transparence de la gestion de l'eau",
            "Publier les données sur la qualité et la distribution de l'eau potable et la planification des ressources hydriques.",
            ["Water & Sanitation"],
        ),
        (
            "BR",
            "Dados abertos sobre saneamento básico",
            "Disponibilizar em dados abertos informações sobre abastecimento de água e esgotamento sanitário nos municípios.",
            ["Water & Sanitation", "Open Data (Water/Sanitation)"],
        ),
    ],
    "health": [
        (
            "GT",
            "Transparencia en la compra de medicamentos",
            "Publicar en datos abiertos las compras de medicamentos e insumos del sistema de salud con precios y proveedores.",
            ["Health & Nutrition", "Public Procurement"],
        ),
        (
            "NG",
            "Transparency in primary health care funding",
            "Publish allocations and spending of primary health care funds and involve communities in monitoring health facilities.",
            ["Health & Nutrition"],
        ),
        (
            "UY",
            "Datos abiertos de salud",
            "Publicar datos abiertos sobre prestadores, tiempos de espera y calidad de los servicios de salud.",
            ["Health & Nutrition", "Open Data (Health)"],
        ),
        (
            "SN",
            "Transparence dans la gestion des ressources de la santé",
            "Rendre publiques les ressources allouées aux structures sanitaires et créer des comités de suivi citoyens.",
            ["Health & Nutrition"],
        ),
    ],
    "education": [
        (
            "PH",
            "School funds transparency and citizen monitoring",
            "Publish the budgets of public schools and let parents and civil society monitor the use of school funds.",
            ["Education"],
        ),
        (
            "CO",
            "Transparencia en el Programa de Alimentación Escolar",
            "Publicar los contratos y la ejecución del programa de alimentación escolar con veedurías ciudadanas.",
            ["Education", "Health & Nutrition"],
        ),
        (
            "ID",
            "Open education data",
            "Publish open data on schools, teachers and learning outcomes to support evidence-based education policy.",
            ["Education", "Open Data (Education)"],
        ),
        (
            "CI",
            "Transparence des ressources des écoles",
            "Publier les subventions versées aux écoles et impliquer les comités de gestion dans leur suivi.",
            ["Education"],
        ),
    ],
    "gender": [
        (
            "MX",
            "Presupuestos con perspectiva de género",
            "Publicar el gasto etiquetado para la igualdad entre mujeres y hombres y evaluar sus resultados con organizaciones de mujeres.",
            ["Gender"],
        ),
        (
            "CA",
            "Gender-based analysis and data",
            "Publish sex-disaggregated data and gender-based analyses of budget measures.",
            ["Gender"],
        ),
        (
            "AR",
            "Datos abiertos sobre violencia de género",
            "Publicar datos abiertos sobre denuncias y atención de violencia por motivos de género.",
            ["Gender-Based Violence", "Gender"],
        ),
        (
            "GE",
            "Gender equality in public participation",
            "Increase women's participation in local decision-making through gender-responsive public consultations.",
            ["Gender", "Public Participation"],
        ),
    ],
    "disability": [
        (
            "UY",
            "Accesibilidad de los servicios públicos digitales",
            "Asegurar que los portales y trámites del Estado cumplan las pautas de accesibilidad para personas con discapacidad.",
            ["People with Disabilities", "Digital Inclusion"],
        ),
        (
            "KR",
            "Participation of persons with disabilities in policymaking",
            "Involve organisations of persons with disabilities in designing policies and publish accessible versions of public information.",
            ["People with Disabilities"],
        ),
        (
            "ES",
            "Información pública accesible y en lectura fácil",
            "Publicar la información de transparencia en formatos accesibles y de lectura fácil para personas con discapacidad intelectual.",
            ["People with Disabilities", "Right To Information"],
        ),
        (
            "AU",
            "Accessible government information",
            "Improve the accessibility of government websites and information for people with disability.",
            ["People with Disabilities"],
        ),
    ],
    "youth": [
        (
            "PY",
            "Participación juvenil en políticas públicas",
            "Crear consejos de juventud que participen en el diseño y seguimiento de políticas públicas a nivel local y nacional.",
            ["Youth", "Public Participation"],
        ),
        (
            "FI",
            "Youth participation in open government",
            "Engage young people in open government through school programmes and a youth panel that reviews the action plan.",
            ["Youth"],
        ),
        (
            "TN",
            "Participation des jeunes à la vie publique",
            "Créer des conseils de jeunes dans les municipalités et former les jeunes au suivi des politiques publiques.",
            ["Youth", "Subnational"],
        ),
        (
            "BOG",
            "Jóvenes en la rendición de cuentas de la ciudad",
            "Involucrar a jóvenes en el seguimiento de los proyectos de la ciudad mediante laboratorios de innovación cívica.",
            ["Youth", "Social Accountability"],
        ),
    ],
    "open_data": [
        (
            "PE",
            "Política nacional de datos abiertos",
            "Aprobar la política de datos abiertos y publicar conjuntos de datos de alto valor en el portal nacional.",
            ["Open Data"],
        ),
        (
            "FR",
            "Politique de la donnée et ouverture des données publiques",
            "Ouvrir les données de référence des administrations et animer une communauté de réutilisateurs.",
            ["Open Data"],
        ),
        (
            "GH",
            "Open data initiative",
            "Relaunch the national open data portal and publish priority datasets on agriculture, health and public finance.",
            ["Open Data"],
        ),
        (
            "IT",
            "National open data strategy",
            "Adopt a national strategy for high-value open datasets and improve the quality of the national catalogue.",
            ["Open Data"],
        ),
    ],
    "data_protection": [
        (
            "KE",
            "Data protection and digital identity",
            "Put in place safeguards for personal data in the national digital identity system and inform citizens of their rights.",
            ["Data Stewardship and Privacy"],
        ),
        (
            "BR",
            "Proteção de dados pessoais no setor público",
            "Implementar a lei geral de proteção de dados nos órgãos públicos com transparência sobre o tratamento de dados.",
            ["Data Stewardship and Privacy"],
        ),
        (
            "CO",
            "Protección de datos personales en la administración pública",
            "Fortalecer la gestión de datos personales en las entidades públicas y el ejercicio del derecho de hábeas data.",
            ["Data Stewardship and Privacy"],
        ),
        (
            "EE",
            "Data tracker for citizens",
            "Let citizens see which public institutions have accessed their personal data in state registers.",
            ["Data Stewardship and Privacy", "Digital Governance"],
        ),
    ],
    "disinformation": [
        (
            "UA",
            "Countering disinformation and media literacy",
            "Develop media literacy programmes and a transparent approach to countering disinformation that respects freedom of expression.",
            ["Disinformation/Misinformation"],
        ),
        (
            "CR",
            "Alfabetización mediática frente a la desinformación",
            "Impulsar la alfabetización mediática e informacional de la ciudadanía para enfrentar la desinformación.",
            ["Disinformation/Misinformation"],
        ),
        (
            "FI",
            "Media literacy against misinformation",
            "Strengthen media literacy in schools and adult education so citizens can recognise misinformation.",
            ["Disinformation/Misinformation"],
        ),
        (
            "MA",
            "Lutte contre la désinformation",
            "Mettre en place des mécanismes de vérification de l'information et d'éducation aux médias avec la société civile.",
            ["Disinformation/Misinformation"],
        ),
    ],
    "civic_space": [
        (
            "AM",
            "Simplifying registration of civil society organisations",
            "Simplify the registration and reporting of non-governmental organisations and protect freedom of association.",
            ["Freedom of Association", "Civic Space and Enabling Environment"],
        ),
        (
            "GT",
            "Entorno habilitante para las organizaciones de la sociedad civil",
            "Revisar el marco legal de las organizaciones no gubernamentales para garantizar la libertad de asociación.",
            ["Freedom of Association"],
        ),
        (
            "CI",
            "Environnement favorable à la société civile",
            "Réviser la loi sur les associations pour faciliter leur enregistrement et leur financement.",
            ["Freedom of Association", "Civic Space and Enabling Environment"],
        ),
        (
            "NG",
            "Protecting civic space and freedom of assembly",
            "Engage civil society on laws affecting the right to assemble and associate and publish guidance for security agencies.",
            ["Freedom of Assembly", "Civic Space and Enabling Environment"],
        ),
    ],
    "land": [
        (
            "GE",
            "Open land registry data",
            "Publish land registry and cadastre data online so that citizens can check property ownership.",
            ["Land and Spatial Planning"],
        ),
        (
            "GT",
            "Transparencia del catastro y el registro de la propiedad",
            "Modernizar el registro de la propiedad y publicar información catastral para la seguridad jurídica de la tierra.",
            ["Land and Spatial Planning"],
        ),
        (
            "ID",
            "One map policy and land transparency",
            "Integrate land-use maps of agencies into one public geoportal to reduce land conflicts.",
            ["Land and Spatial Planning"],
        ),
        (
            "SN",
            "Transparence foncière",
            "Publier les attributions de terres et associer les communautés au suivi de la gouvernance foncière.",
            ["Land and Spatial Planning"],
        ),
    ],
    "political_finance": [
        (
            "UK",
            "Transparency of political party funding",
            "Publish donations and spending of political parties in a searchable online database.",
            ["Political Finance"],
        ),
        (
            "MX",
            "Fiscalización y transparencia del financiamiento de partidos",
            "Publicar en datos abiertos los ingresos y gastos de los partidos políticos y de las campañas electorales.",
            ["Political Finance", "Elections"],
        ),
        (
            "NL",
            "Transparency in the Political Parties Act",
            "Require political parties to disclose donations and their financial position in a public register.",
            ["Political Finance"],
        ),
        (
            "PE",
            "Transparencia del financiamiento de campañas electorales",
            "Publicar los aportes y gastos de campaña de las organizaciones políticas en un sistema en línea.",
            ["Political Finance", "Elections"],
        ),
    ],
    "service_feedback": [
        (
            "PH",
            "Citizen feedback on public service delivery",
            "Let citizens rate public services and report problems through a national hotline and portal, with agencies required to respond.",
            ["Public Service Delivery", "Social Accountability"],
        ),
        (
            "DO",
            "Sistema de quejas, reclamaciones y sugerencias",
            "Crear una línea única para que la ciudadanía presente quejas sobre los servicios públicos y dar seguimiento a sus respuestas.",
            ["Public Service Delivery"],
        ),
        (
            "IE",
            "Citizen feedback on public services",
            "Gather and publish feedback from service users to improve public services.",
            ["Public Service Delivery"],
        ),
        (
            "TN",
            "Mécanisme de plaintes des usagers des services publics",
            "Mettre en place un portail de réclamations des citoyens sur les services publics et publier les délais de traitement.",
            ["Public Service Delivery"],
        ),
    ],
    "local_government": [
        (
            "BUE",
            "Datos abiertos y participación en la Legislatura",
            "Publicar en datos abiertos la actividad de la Legislatura de la ciudad y abrir canales de participación vecinal.",
            ["Subnational", "Open Parliaments"],
        ),
        (
            "PAR",
            "Transparence de l'action municipale",
            "Publier les délibérations, subventions et marchés de la ville en données ouvertes.",
            ["Subnational", "Open Data"],
        ),
        (
            "MAD",
            "Decide Madrid: participación directa en la ciudad",
            "Consolidar la plataforma de participación directa donde los vecinos proponen y votan iniciativas para la ciudad.",
            ["Subnational", "Digital Participation"],
        ),
        (
            "BOG",
            "Gobierno abierto en las localidades de la ciudad",
            "Llevar la rendición de cuentas y los datos abiertos a las alcaldías locales de la ciudad.",
            ["Subnational"],
        ),
    ],
    "infrastructure": [
        (
            "UK",
            "Infrastructure transparency (CoST)",
            "Disclose data on public infrastructure projects following the CoST Infrastructure Data Standard.",
            ["Infrastructure & Transport"],
        ),
        (
            "AR",
            "Transparencia en la obra pública",
            "Publicar el avance físico y financiero de las obras públicas en un mapa abierto con fotografías y contratos.",
            ["Infrastructure & Transport", "Public Procurement"],
        ),
        (
            "MA",
            "Transparence des projets d'infrastructure",
            "Publier les données des projets d'infrastructure publics selon la norme CoST et associer les citoyens à leur suivi.",
            ["Infrastructure & Transport"],
        ),
        (
            "UA",
            "Transparency of road construction",
            "Publish data on road repair contracts and let citizens monitor road works online.",
            ["Infrastructure & Transport"],
        ),
    ],
    "fisheries": [
        (
            "SN",
            "Transparence dans le secteur de la pêche (FiTI)",
            "Publier les licences de pêche, les accords de pêche et les données sur les captures selon la norme FiTI.",
            ["Extractive Industries"],
        ),
        (
            "MA",
            "Données ouvertes sur la pêche",
            "Publier les statistiques de débarquement et les autorisations de pêche en données ouvertes.",
            ["Open Data"],
        ),
        (
            "ID",
            "Fisheries transparency and vessel monitoring",
            "Publish vessel monitoring data and fishing licences to fight illegal, unreported and unregulated fishing.",
            ["Extractive Industries"],
        ),
        (
            "CR",
            "Transparencia en la pesca y la acuicultura",
            "Publicar los permisos de pesca, las capturas y los controles del sector pesquero en datos abiertos.",
            ["Open Data"],
        ),
    ],
}


def commitments() -> list[dict]:
    """Every demo peer with its id (member prefix + running number), in theme order."""
    numbers: dict[str, int] = {}
    rows = []
    for theme, entries in THEMES.items():
        for prefix, title, text, areas in entries:
            numbers[prefix] = numbers.get(prefix, 0) + 1
            name, code, region, level, language = MEMBERS[prefix]
            rows.append(
                {
                    "id": f"{prefix}{numbers[prefix] + 100:04d}",
                    "theme": theme,
                    "member": name,
                    "code": code,
                    "region": region,
                    "level": level,
                    "language": language,
                    "title": title,
                    "text": text,
                    "policy_areas": areas,
                }
            )
    return rows
