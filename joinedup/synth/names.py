"""Name pools for the synthetic borough, by broad heritage, so that names and the
ethnicity recorded for a resident look plausible together. All residents are fictional."""

import zlib

import numpy as np

GIVEN = {
    "british": {
        "female": (
            "Olivia Amelia Isla Ava Emily Sophie Grace Lily Chloe Ella Jessica Lucy Hannah "
            "Charlotte Mary Margaret Patricia Susan Linda Elizabeth Jean Joan Sarah Rebecca "
            "Laura Helen Claire Karen Janet Pauline Emma Poppy Freya Evie Ruby Daisy Phoebe "
            "Florence Alice Matilda Rosie Holly Katie Abigail Megan Bethany Amy Natalie Gemma "
            "Kirsty Joanne Nicola Tracey Julie Wendy Carol Sandra Brenda Dorothy Joyce Irene "
            "Barbara Valerie Sheila Maureen Eileen Christine Gillian Angela Louise Victoria "
            "Rachel Samantha Zoe Harriet Imogen Eleanor Beatrice"
        ).split(),
        "male": (
            "Oliver Jack Harry George Noah Charlie Jacob Thomas James William John David "
            "Michael Peter Paul Robert Richard Stephen Andrew Mark Daniel Christopher Matthew "
            "Anthony Kevin Brian Keith Graham Colin Alan Alfie Freddie Archie Henry Leo Oscar "
            "Arthur Theo Joshua Samuel Benjamin Joseph Edward Alexander Luke Adam Ryan Liam "
            "Nathan Callum Lewis Jamie Craig Darren Lee Gary Neil Simon Stuart Ian Philip "
            "Martin Nigel Trevor Roger Barry Derek Dennis Kenneth Raymond Ronald Terence "
            "Geoffrey Malcolm Gordon Frank Harold Stanley Albert Ernest"
        ).split(),
    },
    "european": {
        "female": (
            "Anna Maria Katarzyna Agnieszka Elena Sofia Giulia Francesca Ana Ioana Magdalena "
            "Ewa Laura Chiara Ines Beatriz Lucia Marta Zofia Irena Alicja Natalia Julia "
            "Zuzana Katarina Petra Lenka Monika Barbora Andreea Cristina Roxana Valentina "
            "Alessia Federica Martina Sara Paula Carmen Rosa Teresa Joana Catarina Mariana "
            "Ivana Jelena Milena Daniela Gabriela Weronika Oliwia Aleksandra Dorota Joanna "
            "Agata Iwona Renata Kinga Anita"
        ).split(),
        "male": (
            "Jakub Piotr Tomasz Marco Luca Giovanni Andrei Mihai Jose Antonio Pedro Miguel "
            "Lukas Pawel Krzysztof Stefan Nikolai Dimitri Matteo Alessandro Jan Marek Adam "
            "Kamil Mateusz Michal Bartosz Dawid Szymon Wojciech Lorenzo Francesco Riccardo "
            "Davide Simone Andrea Filippo Nicola Bogdan Florin Ionut Adrian Cristian Vasile "
            "Joao Rui Nuno Tiago Carlos Javier Pablo Sergio Diego Milan Petr Tomas Martin "
            "Ondrej Marcin Grzegorz"
        ).split(),
    },
    "south_asian": {
        "female": (
            "Fatima Ayesha Nusrat Shamima Rumana Priya Anjali Sunita Nasreen Farzana Salma "
            "Aisha Jasmin Tahmina Rehana Parveen Sabina Amina Meena Kavita Rukhsana Shirin "
            "Sharmin Rokeya Hasina Jahanara Shilpi Sultana Rabia Mariam Zara Hina Sadia "
            "Bushra Naila Shabana Pooja Neha Divya Lakshmi Geeta Rekha Seema Anita Harpreet "
            "Gurpreet Manjit Simran Nisha Rani Shanti Deepa Asma Samina Khadija Yasmin Afia "
            "Mahmuda Lubna Tasnim"
        ).split(),
        "male": (
            "Mohammed Abdul Rahim Karim Shahid Imran Arif Rajesh Sanjay Amit Mizanur Jamal "
            "Hassan Ali Faisal Tariq Abdur Nazrul Vikram Ravi Abdullah Rashid Habib Aminul "
            "Kamal Jahangir Rafiq Shafiq Nurul Anwar Saiful Mahbub Zubair Usman Bilal Adnan "
            "Asif Naveed Sajid Waqas Suresh Ramesh Mahesh Dinesh Anil Sunil Vijay Arjun Rohan "
            "Karan Harjit Gurdeep Manpreet Jaswinder Kuldip Rakesh Prakash Deepak Kamran "
            "Yasin"
        ).split(),
    },
    "east_asian": {
        "female": (
            "Mei Ling Xiu Yan Hui Li Na Jing Wei Fang Min Hong Yu Xin Lan Qing Ying Hua Jia "
            "Lin Xiaoling Xiaomei Lijuan Yanping Meiling Huifang Jingjing Yuxin Shuang Ting "
            "Wen Jie Yue Qian Lu Dan Rui Xue Yi Zhen Man Kit Wing Suk Siu Yee Ka Oi Mun Kwai"
        ).split(),
        "male": (
            "Wei Jun Hao Ming Jian Lei Tao Yong Qiang Bo Chen Gang Feng Long Peng Kai Hui "
            "Yang Zhi Bin Jianguo Zhiqiang Xiaoming Weiming Haoran Zihao Yuxuan Jiahao Junjie "
            "Zhenyu Hong Dong Jie Liang Ping Bing Cheng Rong Sheng Xiang Kwok Wai Chun Kin "
            "Man Tak Hung Fai Chi Yiu"
        ).split(),
    },
    "african": {
        "female": (
            "Amara Chioma Ngozi Adaeze Folake Abena Ama Efua Nkechi Zainab Hodan Fadumo Asha "
            "Blessing Grace Precious Comfort Yetunde Funmi Ifeoma Adunni Bisola Bukola "
            "Damilola Ebunoluwa Funke Kemi Lola Modupe Omolara Titilayo Yewande Akosua Adwoa "
            "Afia Esi Yaa Nana Abimbola Chidinma Chiamaka Ebere Obiageli Uchenna Amina Halima "
            "Khadra Sahra Ifrah Nimo Idil Warsan Hawa Ruth Esther Mercy Joy Patience Faith "
            "Gloria"
        ).split(),
        "male": (
            "Chinedu Emeka Oluwaseun Kwame Kofi Yaw Abdi Mohamed Ahmed Tunde Segun Babatunde "
            "Ikenna Obinna Samuel Emmanuel Daniel Joseph Femi Kayode Adewale Ayodele Babajide "
            "Dapo Gbenga Kunle Olumide Rotimi Wale Yemi Kwabena Kwaku Kojo Kwesi Nii Ekow "
            "Chukwuma Chidi Nnamdi Uche Ifeanyi Kelechi Abdirahman Abdullahi Hassan Yusuf "
            "Omar Liban Mahad Farhan Isaac David Peter Michael Paul Victor Godwin Moses "
            "Solomon"
        ).split(),
    },
    "caribbean": {
        "female": (
            "Marcia Beverley Sonia Yvonne Jennifer Carol Donna Sharon Paulette Angela Maxine "
            "Jacqueline Michelle Tanya Shanice Keisha Aaliyah Chantelle Dionne Simone Beverly "
            "Claudette Hyacinth Merle Gloria Pearl Verona Marlene Lorna Sandra Joy Janice "
            "Carmen Annette Andrea Natasha Kerry Shauna Jade Kiara Tamika Latoya Shantelle "
            "Nadia Renee Danielle Charmaine Tiffany Monique Jasmine"
        ).split(),
        "male": (
            "Winston Delroy Clive Errol Lloyd Leroy Trevor Desmond Courtney Marlon Andre "
            "Tyrone Jermaine Dwayne Curtis Calvin Nathaniel Devon Malik Jerome Neville Rupert "
            "Everton Lincoln Carlton Selwyn Dudley Linton Wesley Milton Roy Horace Vernon "
            "Alton Glenroy Junior Kieran Jordan Reece Kyle Tyrell Marcus Darnell Dean Kevin "
            "Ricardo Damian Omari Kemar"
        ).split(),
    },
    "arab": {
        "female": (
            "Layla Mariam Noor Huda Rania Yasmin Samira Leila Dalia Hala Amal Salma Nadia "
            "Zeinab Lina Rasha Dina Mona Reem Sara Aya Farah Ghada Hanan Iman Jamila Karima "
            "Lamia Maha Nada Nawal Rana Rima Sahar Souad Wafa Yara Zahra Abeer Asma Bushra "
            "Dunya Fatin Ghalia Hiba Inas Jana Kholoud Manal Nour"
        ).split(),
        "male": (
            "Omar Khalid Youssef Karim Tariq Samir Hamza Bilal Walid Nabil Rami Fadi Ziad "
            "Adel Majid Hassan Ibrahim Mahmoud Mustafa Ali Ahmad Amir Anas Basel Fouad "
            "Ghassan Hadi Hisham Imad Jamal Kamal Louay Maher Marwan Nasser Osama Qasim "
            "Rashad Saad Salim Tamer Wael Yasser Zaid Hussein Haitham Munir Nizar Raed Sami"
        ).split(),
    },
}

FAMILY = {
    "british": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
    "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Harris Lewis Turner "
    "Hill Moore Cooper Ward King Baker Wright Morris Hughes Edwards Clark O'Brien Murphy "
    "Kelly Walsh Byrne Ryan".split(),
    "european": "Nowak Kowalski Wisniewski Rossi Russo Ferrari Esposito Popescu Ionescu "
    "Silva Santos Ferreira Garcia Martinez Lopez Muller Schmidt Novak Horvat Kovacs "
    "Papadopoulos Dimitrov Ivanova Bianchi".split(),
    "south_asian": "Begum Khan Ahmed Rahman Hussain Miah Uddin Islam Ali Choudhury Patel "
    "Shah Sharma Singh Kaur Gupta Das Chowdhury Hossain Akhtar Malik Iqbal Mahmood Kumar".split(),
    "east_asian": "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He "
    "Lin Luo Gao Lam Wong Chan Leung".split(),
    "african": "Okafor Okeke Adeyemi Adebayo Mensah Asante Boateng Owusu Osei Abdi Warsame "
    "Farah Hassan Mohamed Nwosu Eze Obi Afolabi Oyelaran Bello Ibrahim Danso Appiah".split(),
    "caribbean": "Campbell Brown Williams Thomas Francis Henry Grant Clarke Morgan Reid "
    "Stewart Gordon Bailey Spencer Richards Harvey Lewis Baptiste Joseph Charles".split(),
    "arab": "Haddad Khalil Nasser Mansour Saleh Hamdan Aziz Karam Rashid Sabbagh Fares "
    "Najjar Darwish Habib Said Yousef Hariri Kassem Jaber Mahmoud".split(),
}

# Surnames are far more varied than first names: each pool has its common names (drawn
# more often, the most common most of all) and a long tail built the way such names are
# formed — English place-names, Slavic and Italian endings, Yoruba compounds — so that a
# borough of millions has hundreds of thousands of name combinations, as real ones do.
_TAILS = {
    "british": (
        "Ash Black Brad Brom Burn Chad Chat Crom Dar Dun Elm Fair Fen Gar Glad Hal Ham Hart "
        "Hay Hol Hum Kel Ken Lang Mar Mid Mor Nor Oak Pen Ray Ring Ros Rud Shel Stan Stock "
        "Sut Thorn Wal War Wes Whit Wick Win Wood Wor Yar Bel Cal Dal Ever Gold Hather Lock",
        "ley ton ford wood field worth by ham well more stone bridge combe hurst wick dale "
        "land shaw sley den",
    ),
    "european": (
        "Kowal Nowic Lewand Kamin Zielin Szyman Wozn Dabrow Kozlow Jankow Mazur Kwiat Krawc "
        "Pawl Michal Wroblew Olszew Jaworsk Malin Stepan Ross Marin Gall Conti Bruno Lomb "
        "Moret Barb Fontan Sant Mancin Rizz Cost Gior Rinald",
        "ski ska czyk wicz ak ek i elli etti ini one escu",
    ),
    "african": (
        "Ade Olu Ola Oluwa Ayo Femi Baba Kola Bola Tola Yemi Sola Fola Dayo Funmi Abi Ife",
        "bayo wale tunde kunle yemi sola bisi tola dele femi seun mide kanmi jide",
    ),
    "caribbean": (
        "Ash Black Brad Chat Dar Fair Ham Hart Hay Mar Mor Oak Pen Ray Stan Stock Thorn Wal "
        "Whit Wood",
        "ley ton ford wood field worth by ham well more stone",
    ),
    "south_asian": ("", ""),
    "arab": ("", ""),
    "east_asian": ("", ""),
}
_MORE_FAMILY = {
    "south_asian": "Bibi Sheikh Siddiqui Qureshi Javed Aslam Butt Chaudhry Mirza Rana Saleem "
    "Zaman Haque Karim Alam Sarwar Anwar Parvez Nahar Yasmin Mehta Desai Joshi Rao Reddy Nair "
    "Pillai Iyer Menon Bhatt Trivedi Pandya Sandhu Gill Dhillon Sidhu Grewal Bains Atwal",
    "east_asian": "Cheung Ho Ng Tang Yip Chow Kwok Fung Lau Tsang Yeung Tam Cheng Poon Mak",
    "arab": "Hussein Abbas Hamid Khoury Saad Ghanem Salem Zaki Shaheen Bakr Othman Nassar "
    "Qasim Suleiman Mustafa Hijazi Al-Hashimi Al-Tamimi Al-Shammari Al-Qahtani Al-Maliki "
    "Al-Harbi Al-Zahrani Al-Ansari Al-Jabri Al-Masri",
    "african": "Abiodun Adeleke Ogunleye Ogunbiyi Nwachukwu Okonkwo Eze Chukwu Agyeman Amoah "
    "Boakye Darko Gyamfi Ofori Yeboah Ali Hirsi Jama Omar Yusuf Adan Duale Egal Kariuki "
    "Kamau Otieno Mwangi Banda Phiri Moyo Ncube",
    "british": "Patel Scott Mitchell Young Allen Anderson Campbell Stewart Bell Watson Harrison "
    "Cook Parker Morgan Bennett Cox Richardson Gray Ellis Marshall Collins Fox Russell Reid "
    "Murray Mason Hunt Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Fisher Dixon "
    "Kennedy Chapman Webb Rogers Powell Ross Owen Shaw Gibson Pearce Stevens Rose Graham",
    "caribbean": "Thompson Johnson Robinson Jackson Wilson Edwards Hall Walker Green Allen "
    "Lawrence Benjamin James Samuels Augustine Daley Powell Hinds Forbes Bennett",
    "european": "Kaminski Lewandowski Zielinski Wojcik Kaczmarek Mazur Krawczyk Romano Colombo "
    "Ricci Marino Greco Bruno Gallo Conti Costa Giordano Pereira Oliveira Rodrigues Sousa "
    "Fernandes Gonzalez Sanchez Perez Fischer Weber Meyer Wagner Popa Stan Dumitru Nagy Toth",
}


def _family_choices(pool: str) -> tuple[list[str], np.ndarray]:
    """A pool's surnames and the cumulative chance of each (common ones in a Zipf-like
    proportion, half of the chance; the long tail evenly, the other half)."""
    common = list(dict.fromkeys(FAMILY[pool] + _MORE_FAMILY[pool].split()))
    stems, endings = _TAILS[pool]
    tail = [a + b for a in stems.split() for b in endings.split() if a + b not in common]
    weights = 1 / np.arange(1, len(common) + 1) ** 0.8
    weights = weights / weights.sum() * (0.5 if tail else 1.0)
    if tail:
        weights = np.concatenate([weights, np.full(len(tail), 0.5 / len(tail))])
    return common + tail, np.cumsum(weights) / weights.sum()


FAMILY_CHOICES = {pool: _family_choices(pool) for pool in FAMILY}


def family_name(pool: str, u: float) -> str:
    """The surname at ``u`` (uniform in [0, 1)) on the pool's distribution."""
    names, cdf = FAMILY_CHOICES[pool]
    return names[min(int(np.searchsorted(cdf, u, side="right")), len(names) - 1)]


def given_name(pool: str, sex: str, u: float) -> str:
    pool_names = GIVEN[pool][sex]
    return pool_names[int(u * len(pool_names))]


# The heritage pool used for each 2021 Census ethnic group's names.
ETHNICITY_POOL = {
    "A_BANGLADESHI": "south_asian",
    "A_CHINESE": "east_asian",
    "A_INDIAN": "south_asian",
    "A_PAKISTANI": "south_asian",
    "A_OTHER": "south_asian",
    "B_AFRICAN": "african",
    "B_CARIBBEAN": "caribbean",
    "B_OTHER": "african",
    "M_WHITE_ASIAN": "british",
    "M_WHITE_BLACK_AFRICAN": "african",
    "M_WHITE_BLACK_CARIBBEAN": "caribbean",
    "M_OTHER": "british",
    "W_BRITISH": "british",
    "W_IRISH": "british",
    "W_GYPSY_TRAVELLER": "british",
    "W_ROMA": "european",
    "W_OTHER": "european",
    "O_ARAB": "arab",
    "O_OTHER": "european",
    "NOT_STATED": "british",
}

# Approximate shares for an inner-London borough (2021 Census-like).
ETHNICITY_SHARES = {
    "W_BRITISH": 0.37,
    "W_IRISH": 0.025,
    "W_GYPSY_TRAVELLER": 0.002,
    "W_ROMA": 0.003,
    "W_OTHER": 0.21,
    "A_BANGLADESHI": 0.06,
    "A_CHINESE": 0.025,
    "A_INDIAN": 0.025,
    "A_PAKISTANI": 0.006,
    "A_OTHER": 0.04,
    "B_AFRICAN": 0.05,
    "B_CARIBBEAN": 0.015,
    "B_OTHER": 0.015,
    "M_WHITE_ASIAN": 0.02,
    "M_WHITE_BLACK_AFRICAN": 0.01,
    "M_WHITE_BLACK_CARIBBEAN": 0.012,
    "M_OTHER": 0.02,
    "O_ARAB": 0.02,
    "O_OTHER": 0.035,
    "NOT_STATED": 0.0,
}

LANGUAGE_BY_POOL = {
    "south_asian": "Bengali",
    "east_asian": "Mandarin",
    "african": "Somali",
    "arab": "Arabic",
    "european": "Polish",
}

_STREET_STEMS = (
    (
        "Albany Bayham Camden Delancey Eversholt Fitzroy Gloucester Hampstead Inverness Jamestown "
        "Kentish Leighton Malden Netherwood Oakley Prince Queens Regent Pancras Torriano Ulster "
        "Vicars Willes York Agar Brecknock Chalk Dartmouth Elsworthy Fleet Arlington Balmore "
        "Carol Doric Ferdinand Georgiana Hartland Islip Lyme Mornington Oval Pratt Rochester "
        "Sandall Swain Wilmot Adelaide Belsize Chetwynd Crogsland Dunollie Estelle Fortess "
        "Gaisford Harmood Ingestre Lamble Lissenden Mansfield Oseney Parliament Raveley Savernake "
        "Tremlett Wellesley Burghley Caversham Falkland Grafton Highgate Margaret Lupton"
    )
    .replace(".", " ")
    .split(" ")
)
_STREET_TYPES = (
    "Road Street Avenue Grove Crescent Place Gardens Close Lane Terrace Square Way Mews Walk"
).split()
STREETS = tuple(f"{stem} {kind}" for kind in _STREET_TYPES for stem in _STREET_STEMS if stem)


def street_for(postcode: str) -> str:
    """The street a postcode covers (one per postcode, as in the real Postcode Address
    File)."""
    return STREETS[zlib.crc32(postcode.encode()) % len(STREETS)]


AREA_NAMES = (
    "Kingsgate",
    "Fortune Green",
    "Belsize",
    "Haverstock",
    "Gospel Oak",
    "Highgate",
    "Regent's Park",
    "St Pancras",
    "Somers Town",
    "Holborn",
    "Bloomsbury",
    "Frognal",
    "Swiss Cottage",
    "Kilburn",
    "West End",
    "Cantelowes",
    "Camden Town",
    "Primrose Hill",
)
