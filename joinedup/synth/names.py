"""Name pools for the synthetic borough, by broad heritage, so that names and the
ethnicity recorded for a resident look plausible together. All residents are fictional."""

GIVEN = {
    "british": {
        "female": "Olivia Amelia Isla Ava Emily Sophie Grace Lily Chloe Ella Jessica Lucy Hannah "
        "Charlotte Mary Margaret Patricia Susan Linda Elizabeth Jean Joan Sarah Rebecca Laura "
        "Helen Claire Karen Janet Pauline".split(),
        "male": "Oliver Jack Harry George Noah Charlie Jacob Thomas James William John David "
        "Michael Peter Paul Robert Richard Stephen Andrew Mark Daniel Christopher Matthew "
        "Anthony Kevin Brian Keith Graham Colin Alan".split(),
    },
    "european": {
        "female": "Anna Maria Katarzyna Agnieszka Elena Sofia Giulia Francesca Ana Ioana "
        "Magdalena Ewa Laura Chiara Ines Beatriz Lucia Marta Zofia Irena".split(),
        "male": "Jakub Piotr Tomasz Marco Luca Giovanni Andrei Mihai Jose Antonio Pedro "
        "Miguel Lukas Pawel Krzysztof Stefan Nikolai Dimitri Matteo Alessandro".split(),
    },
    "south_asian": {
        "female": "Fatima Ayesha Nusrat Shamima Rumana Priya Anjali Sunita Nasreen Farzana "
        "Salma Aisha Jasmin Tahmina Rehana Parveen Sabina Amina Meena Kavita".split(),
        "male": "Mohammed Abdul Rahim Karim Shahid Imran Arif Rajesh Sanjay Amit Mizanur "
        "Jamal Hassan Ali Faisal Tariq Abdur Nazrul Vikram Ravi".split(),
    },
    "east_asian": {
        "female": "Mei Ling Xiu Yan Hui Li Na Jing Wei Fang Min Hong Yu Xin Lan Qing Ying "
        "Hua Jia Lin".split(),
        "male": "Wei Jun Hao Ming Jian Lei Tao Yong Qiang Bo Chen Gang Feng Long Peng Kai "
        "Hui Yang Zhi Bin".split(),
    },
    "african": {
        "female": "Amara Chioma Ngozi Adaeze Folake Abena Ama Efua Nkechi Zainab Hodan "
        "Fadumo Asha Blessing Grace Precious Comfort Yetunde Funmi Ifeoma".split(),
        "male": "Chinedu Emeka Oluwaseun Kwame Kofi Yaw Abdi Mohamed Ahmed Tunde Segun "
        "Babatunde Ikenna Obinna Samuel Emmanuel Daniel Joseph Femi Kayode".split(),
    },
    "caribbean": {
        "female": "Marcia Beverley Sonia Yvonne Jennifer Carol Donna Sharon Paulette Angela "
        "Maxine Jacqueline Michelle Tanya Shanice Keisha Aaliyah Chantelle Dionne Simone".split(),
        "male": "Winston Delroy Clive Errol Lloyd Leroy Trevor Desmond Courtney Marlon "
        "Andre Tyrone Jermaine Dwayne Curtis Calvin Nathaniel Devon Malik Jerome".split(),
    },
    "arab": {
        "female": "Layla Mariam Noor Huda Rania Yasmin Samira Leila Dalia Hala Amal Salma "
        "Nadia Zeinab Lina Rasha Dina Mona Reem Sara".split(),
        "male": "Omar Khalid Youssef Karim Tariq Samir Hamza Bilal Walid Nabil Rami Fadi "
        "Ziad Adel Majid Hassan Ibrahim Mahmoud Mustafa Ali".split(),
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

STREETS = (
    "Albany Street",
    "Bayham Place",
    "Camden Road",
    "Delancey Street",
    "Eversholt Street",
    "Fitzroy Road",
    "Gloucester Crescent",
    "Hampstead Road",
    "Inverness Street",
    "Jamestown Road",
    "Kentish Town Road",
    "Leighton Road",
    "Malden Road",
    "Netherwood Street",
    "Oakley Square",
    "Prince of Wales Road",
    "Queens Crescent",
    "Regent's Park Road",
    "St Pancras Way",
    "Torriano Avenue",
    "Ulster Terrace",
    "Vicars Road",
    "Willes Road",
    "York Way",
    "Agar Grove",
    "Brecknock Road",
    "Chalk Farm Road",
    "Dartmouth Park Hill",
    "Elsworthy Road",
    "Fleet Road",
)

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
